import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { groupAccess, requireRole, requireUser } from '../access';
import { isUniqueViolation } from '../db/connect';
import { ApiError, notFound } from '../errors';
import { atLeast, type Role } from '../domain/roles';
import {
  commonErrors,
  errorRef,
  GroupParams,
  Name,
  onePage,
  page,
  RoleSchema
} from '../schemas/common';
import {
  createGroup,
  listGroupsFor,
  listMembers,
  removeMember,
  roleIn,
  setMember
} from '../repos/groups';
import { dropInvitation, invite } from '../repos/invitations';
import { findUserByName } from '../repos/users';

const Visibility = Type.Union([
  Type.Literal('private'),
  Type.Literal('public')
]);
const GroupSchema = Type.Object({
  name: Type.String(),
  visibility: Type.String(),
  role: Type.Union([RoleSchema, Type.Null()]),
  created_at: Type.String(),
  card_required_sections: Type.Optional(Type.Array(Type.String()))
});
const Member = Type.Object({ username: Type.String(), role: RoleSchema });
const Invited = Type.Object({
  status: Type.Literal('invited'),
  username: Type.String(),
  role: RoleSchema
});
const MemberParams = Type.Object({
  group: Type.String(),
  username: Type.String()
});

export const groupRoutes: FastifyPluginAsyncTypebox = async app => {
  app.post(
    '/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Create a group; the creator becomes its owner',
        body: Type.Object({
          name: Name,
          visibility: Type.Optional(Visibility)
        }),
        response: { 201: GroupSchema, 409: errorRef, ...commonErrors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request.caller, 'creating a group');
      try {
        const g = await createGroup(
          app.db,
          request.body.name,
          request.body.visibility ?? 'private',
          user.id
        );
        return reply.status(201).send({
          name: g.name,
          visibility: g.visibility,
          role: 'owner',
          created_at: g.created_at
        });
      } catch (err) {
        if (isUniqueViolation(err)) {
          throw new ApiError(
            'CONFLICT',
            `group "${request.body.name}" already exists; pick another name`
          );
        }
        throw err;
      }
    }
  );

  app.get(
    '/groups',
    {
      schema: {
        tags: ['groups'],
        summary: 'Groups you belong to, with your role',
        response: {
          200: page(GroupSchema),
          401: errorRef
        }
      }
    },
    async request => {
      const user = requireUser(request.caller, 'listing your groups');
      const rows = await listGroupsFor(app.db, user);
      return onePage(
        rows.map(g => ({
          name: g.name,
          visibility: g.visibility,
          role: g.role,
          created_at: g.created_at
        }))
      );
    }
  );

  app.get(
    '/groups/:group',
    {
      schema: {
        tags: ['groups'],
        summary: 'One group',
        params: GroupParams,
        response: { 200: GroupSchema, ...commonErrors }
      }
    },
    async request => {
      const { group, role } = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      return {
        name: group.name,
        visibility: group.visibility,
        role,
        created_at: group.created_at,
        card_required_sections: JSON.parse(group.card_required_sections)
      };
    }
  );

  app.get(
    '/groups/:group/members',
    {
      schema: {
        tags: ['groups'],
        summary: 'Members and their roles',
        params: GroupParams,
        response: {
          200: page(Member),
          ...commonErrors
        }
      }
    },
    async request => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(access, request.caller, 'guest', 'listing members');
      return onePage(await listMembers(app.db, access.group.id));
    }
  );

  app.put(
    '/groups/:group/members/:username',
    {
      schema: {
        tags: ['groups'],
        summary:
          "Change a member's role, or invite a user (maintainer+; owner for the owner role). A non-member is invited, never added: 202 whether or not the username exists; the instance admin adds directly",
        params: MemberParams,
        body: Type.Object({ role: RoleSchema }),
        response: { 200: Member, 202: Invited, ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(access, request.caller, 'maintainer', 'managing members');
      const caller = request.caller!;
      const target = await findUserByName(app.db, request.params.username);
      const current = target
        ? await roleIn(app.db, access.group.id, target.id)
        : null;
      const role = request.body.role as Role;
      if (
        (role === 'owner' || current === 'owner') &&
        !atLeast(access.role, 'owner')
      ) {
        throw new ApiError(
          'FORBIDDEN',
          "only an owner can grant the owner role or change an owner's role"
        );
      }
      if (caller.is_admin && !target) {
        throw notFound(`user "${request.params.username}"`);
      }
      if (target && (current || caller.is_admin)) {
        await setMember(app.db, access.group.id, target.id, role);
        await dropInvitation(app.db, access.group.id, target.id);
        return { username: target.username, role };
      }
      // Same answer for a username that does not exist: what an owner learns is what they typed.
      if (target) {
        await invite(app.db, access.group.id, target.id, role, caller.username);
      }
      return reply.status(202).send({
        status: 'invited' as const,
        username: request.params.username,
        role
      });
    }
  );

  app.delete(
    '/groups/:group/members/:username',
    {
      schema: {
        tags: ['groups'],
        summary:
          'Remove a member or withdraw an invitation (maintainer+; owner to remove an owner)',
        params: MemberParams,
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(access, request.caller, 'maintainer', 'managing members');
      const target = await findUserByName(app.db, request.params.username);
      const current = target
        ? await roleIn(app.db, access.group.id, target.id)
        : null;
      if (current === 'owner' && !atLeast(access.role, 'owner')) {
        throw new ApiError('FORBIDDEN', 'only an owner can remove an owner');
      }
      const invited =
        target !== undefined &&
        (await dropInvitation(app.db, access.group.id, target.id));
      if (!current && !invited) {
        // The same whether the username exists or not.
        throw notFound(
          `member or invitation "${request.params.username}" of group "${access.group.name}"`
        );
      }
      if (current) {
        await removeMember(app.db, access.group.id, target!.id);
      }
      return reply.status(204).send(null);
    }
  );
};
