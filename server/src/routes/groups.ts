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
          'Add a member or change a role (maintainer+; owner to grant or change owner)',
        params: Type.Object({ group: Type.String(), username: Type.String() }),
        body: Type.Object({ role: RoleSchema }),
        response: { 200: Member, ...commonErrors }
      }
    },
    async request => {
      const access = await groupAccess(
        app.db,
        request.caller,
        request.params.group
      );
      requireRole(access, request.caller, 'maintainer', 'managing members');
      const target = await findUserByName(app.db, request.params.username);
      if (!target) {
        throw notFound(`user "${request.params.username}"`);
      }
      const current = await roleIn(app.db, access.group.id, target.id);
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
      await setMember(app.db, access.group.id, target.id, role);
      return { username: target.username, role };
    }
  );

  app.delete(
    '/groups/:group/members/:username',
    {
      schema: {
        tags: ['groups'],
        summary: 'Remove a member (maintainer+; owner to remove an owner)',
        params: Type.Object({ group: Type.String(), username: Type.String() }),
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
      if (!target) {
        throw notFound(`user "${request.params.username}"`);
      }
      if (
        (await roleIn(app.db, access.group.id, target.id)) === 'owner' &&
        !atLeast(access.role, 'owner')
      ) {
        throw new ApiError('FORBIDDEN', 'only an owner can remove an owner');
      }
      await removeMember(app.db, access.group.id, target.id);
      return reply.status(204).send(null);
    }
  );
};
