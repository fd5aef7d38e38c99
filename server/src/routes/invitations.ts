import {
  Type,
  type FastifyPluginAsyncTypebox
} from '@fastify/type-provider-typebox';
import { requireUser, selfOrAdmin, type Caller } from '../access';
import { notFound } from '../errors';
import {
  commonErrors,
  GroupParams,
  onePage,
  page,
  RoleSchema
} from '../schemas/common';
import { findGroup } from '../repos/groups';
import {
  acceptInvitation,
  dropInvitation,
  invitationsOf
} from '../repos/invitations';

const Invitation = Type.Object({
  group: Type.String(),
  role: RoleSchema,
  invited_by: Type.String(),
  created_at: Type.String()
});

/**
 * The invitee's side of membership (security, issue 14): a maintainer's PUT of a non-member only
 * invites; the user joins by accepting. An unknown group and a group that did not invite you answer
 * the same 404, so neither private groups nor invitations of others leak.
 */
export const invitationRoutes: FastifyPluginAsyncTypebox = async app => {
  const noInvitation = (group: string, caller: Caller) =>
    notFound(`an invitation of "${caller!.username}" to group "${group}"`);

  app.get(
    '/users/:username/invitations',
    {
      schema: {
        tags: ['users'],
        summary:
          'Groups that invited you (or anyone, as the instance admin), with the role they offer',
        params: Type.Object({ username: Type.String() }),
        response: { 200: page(Invitation), ...commonErrors }
      }
    },
    async request => {
      const invitee = await selfOrAdmin(
        app.db,
        request.caller,
        request.params.username,
        'listing invitations',
        'invitations'
      );
      return onePage(await invitationsOf(app.db, invitee.id));
    }
  );

  app.post(
    '/groups/:group/invitations/accept',
    {
      schema: {
        tags: ['groups'],
        summary:
          "Accept the group's invitation: you become a member with the offered role",
        params: GroupParams,
        response: {
          200: Type.Object({ username: Type.String(), role: RoleSchema }),
          ...commonErrors
        }
      }
    },
    async request => {
      const user = requireUser(request.caller, 'accepting an invitation');
      const group = await findGroup(app.db, request.params.group);
      const role = group
        ? await acceptInvitation(app.db, group.id, user.id)
        : null;
      if (!role) {
        throw noInvitation(request.params.group, request.caller);
      }
      return { username: user.username, role };
    }
  );

  app.post(
    '/groups/:group/invitations/decline',
    {
      schema: {
        tags: ['groups'],
        summary: "Decline the group's invitation: 204, and it is gone",
        params: GroupParams,
        response: { 204: Type.Null(), ...commonErrors }
      }
    },
    async (request, reply) => {
      const user = requireUser(request.caller, 'declining an invitation');
      const group = await findGroup(app.db, request.params.group);
      if (!group || !(await dropInvitation(app.db, group.id, user.id))) {
        throw noInvitation(request.params.group, request.caller);
      }
      return reply.status(204).send(null);
    }
  );
};
