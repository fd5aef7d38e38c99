/**
 * The account page and the invitations banner against the real registry, through the Jupyter proxy
 * (which holds the admin's token here): what the page shows is then checked with the registry itself.
 */
import * as React from 'react';
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import {
  acceptDialog,
  dismissDialog,
  waitForDialog
} from '@jupyterlab/testing';

import { InvitationsBanner } from '../components/account/InvitationsBanner';
import { TokensPage } from '../components/account/TokensPage';
import { PanelState } from '../panelState';
import { renderInPanel } from './render';
import { registryCall, testServers, useTestServer } from './servers';

const unique = (prefix: string) =>
  `${prefix}${Date.now().toString(36)}${Math.floor(Math.random() * 1e6)}`;

/** Whether the registry accepts `token` (GET /user answers 200). */
async function accepted(token: string): Promise<boolean> {
  try {
    await registryCall('GET', 'user', undefined, token);
    return true;
  } catch (error) {
    expect(String(error)).toContain('401');
    return false;
  }
}

async function rowOf(name: string): Promise<HTMLElement> {
  return waitFor(() => {
    const row = screen
      .getAllByTestId('modelreg-token-row')
      .find(r => r.dataset.tokenName === name);
    expect(row).toBeDefined();
    return row!;
  });
}

describe('API tokens page', () => {
  beforeEach(() => useTestServer());

  it('creates a read-only token, shows its secret once, lists it without the secret, and revokes it after naming it', async () => {
    const name = unique('page');
    renderInPanel(<TokensPage />);
    fireEvent.change(await screen.findByTestId('modelreg-new-token-name'), {
      target: { value: name }
    });
    fireEvent.change(screen.getByTestId('modelreg-new-token-access'), {
      target: { value: 'read' }
    });
    fireEvent.click(screen.getByTestId('modelreg-create-token'));

    const shown = await screen.findByTestId('modelreg-token-secret');
    expect(shown.textContent).toContain('you will not see it again');
    const secret = within(shown).getByTestId(
      'modelreg-token-secret-value'
    ).textContent!;
    expect(await accepted(secret)).toBe(true);
    const row = await rowOf(name);
    expect(row.textContent).toContain('read');
    expect(row.textContent).not.toContain('write');
    expect(row.textContent).not.toContain(secret);
    const admin = (await registryCall('GET', 'user')).username;
    const listed = await registryCall('GET', `users/${admin}/tokens`);
    const mine = listed.items.find((t: any) => t.name === name);
    expect(mine.scopes).toEqual(['read']);
    expect(mine.expires_at).not.toBeNull(); // the default expiry, 90 days

    fireEvent.click(screen.getByTestId('modelreg-secret-done'));
    expect(screen.queryByTestId('modelreg-token-secret')).toBeNull();
    expect(document.body.textContent).not.toContain(secret);

    // Cancelling the confirmation keeps the token.
    fireEvent.click(within(row).getByTestId('modelreg-revoke-token'));
    await waitForDialog();
    await waitFor(() =>
      expect(document.querySelector('.jp-Dialog')!.textContent).toContain(
        `Revoke token "${name}"?`
      )
    );
    await dismissDialog();
    expect(await accepted(secret)).toBe(true);

    fireEvent.click(
      within(await rowOf(name)).getByTestId('modelreg-revoke-token')
    );
    await waitForDialog();
    await acceptDialog();
    await waitFor(() =>
      expect(
        screen
          .queryAllByTestId('modelreg-token-row')
          .some(r => r.dataset.tokenName === name)
      ).toBe(false)
    );
    expect(await accepted(secret)).toBe(false);
  });

  it('shows the registry error code when the token cannot be created', async () => {
    renderInPanel(<TokensPage />);
    fireEvent.change(await screen.findByTestId('modelreg-new-token-name'), {
      target: { value: 'x'.repeat(100) + 'y' } // the input's maxLength is not enforced by jsdom's change
    });
    fireEvent.click(screen.getByTestId('modelreg-create-token'));
    const error = await screen.findByTestId('modelreg-error');
    expect(error.dataset.code).toBe('VALIDATION_ERROR');
    expect(error.textContent).toContain('name');
  });

  it('disables creating, with the reason, when the registry is not reachable', async () => {
    useTestServer(testServers().downJupyterUrl);
    renderInPanel(<TokensPage />);
    const create = await screen.findByTestId('modelreg-create-token');
    expect((create as HTMLButtonElement).disabled).toBe(true);
    expect(create.title).toContain('is not answering');
    expect(screen.getByTestId('modelreg-tokens-page').textContent).toContain(
      'is not answering'
    );
  });
});

describe('invitations banner', () => {
  beforeEach(() => useTestServer());

  it('shows a group invitation and accepting it makes the group’s models appear', async () => {
    // A group owner (not the instance admin, who adds directly) invites the admin the proxy acts as.
    const owner = unique('own');
    await registryCall('POST', 'users', { username: owner });
    const ownerToken = (
      await registryCall('POST', `users/${owner}/tokens`, { name: 'owner' })
    ).token;
    const group = unique('inv');
    await registryCall('POST', 'groups', { name: group }, ownerToken);
    await registryCall(
      'POST',
      `models/${group}`,
      { name: 'invited' },
      ownerToken
    );
    const admin = (await registryCall('GET', 'user')).username;
    await registryCall(
      'PUT',
      `groups/${group}/members/${admin}`,
      { role: 'reporter' },
      ownerToken
    );

    const model = new PanelState();
    await model.refreshStatus();
    renderInPanel(<InvitationsBanner />, { model });
    const invitation = await waitFor(() => {
      const found = screen
        .getAllByTestId('modelreg-invitation')
        .find(i => i.dataset.group === group);
      expect(found).toBeDefined();
      return found!;
    });
    expect(invitation.textContent).toContain(
      `${owner} invited you to group ${group} as reporter.`
    );
    fireEvent.click(
      within(invitation).getByTestId('modelreg-accept-invitation')
    );
    await waitFor(() =>
      expect(
        screen
          .queryAllByTestId('modelreg-invitation')
          .some(i => i.dataset.group === group)
      ).toBe(false)
    );
    const members = await registryCall('GET', `groups/${group}/members`);
    expect(members.items.map((m: any) => m.username)).toContain(admin);
    await waitFor(() =>
      expect(model.models.value.map(m => m.full_name)).toContain(
        `${group}/invited`
      )
    );
  });
});
