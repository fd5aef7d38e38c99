/** The API client through the real Jupyter proxy to the real registry. */
import { jupyterHeaders, registry, requestAPI } from '../api';
import { ModelregError } from '../errors';
import { jupyterSettings, testServers, useTestServer } from './servers';

describe('requestAPI through the Jupyter proxy', () => {
  const servers = testServers();
  beforeEach(() => useTestServer());

  it('reports the registry status without the token', async () => {
    const status = await registry.status();
    expect(status).toMatchObject({
      configured: true,
      reachable: true,
      url: servers.registryUrl
    });
    expect(status.user).toBeTruthy();
    expect(JSON.stringify(status)).not.toContain(servers.adminToken);
  });

  it('lists and reads models of a private group with the server-side token', async () => {
    const page = await registry.listModels({
      q: 'churn',
      group: servers.group
    });
    expect(page.items.map(m => m.full_name)).toEqual([servers.model]);
    const model = await registry.getModel(servers.model);
    expect(model.metadata.framework).toBe('sklearn');
    expect(model.latest_version).toBe('1.0.0');
  });

  it('reads candidates, versions, aliases, files and compare', async () => {
    const [first, second] = servers.candidates;
    const candidates = await registry.listCandidates(servers.model);
    expect(candidates.items.map(c => c.iid).sort()).toEqual(
      [first, second].sort()
    );
    const versions = await registry.listVersions(servers.model);
    expect(versions.items[0]).toMatchObject({
      version: '1.0.0',
      locked: true,
      candidate: first
    });
    // The server's suggestions after 1.0.0, as the promote dialog shows them.
    expect(versions.next_versions).toEqual({
      major: '2.0.0',
      minor: '1.1.0',
      patch: '1.0.1'
    });
    const aliases = await registry.listAliases(servers.model);
    expect(aliases.items).toEqual([
      expect.objectContaining({ alias: 'production', version: '1.0.0' })
    ]);
    const files = await registry.candidateFiles(servers.model, second);
    expect(files.map(f => f.path).sort()).toEqual([
      'extra.txt',
      'model.pkl',
      'plots/roc.txt'
    ]);
    const compared = await registry.compare(servers.model, [
      `c:${first}`,
      `c:${second}`
    ]);
    expect(compared.items).toHaveLength(2);
  });

  it('turns registry errors into ModelregError with the server code and message', async () => {
    const missing = registry.getModel(`${servers.group}/does-not-exist`);
    await expect(missing).rejects.toBeInstanceOf(ModelregError);
    await expect(missing).rejects.toMatchObject({
      code: 'NOT_FOUND',
      status: 404
    });

    const duplicate = registry.promote(servers.model, {
      candidate: servers.candidates[0],
      version: '1.0.0'
    });
    await expect(duplicate).rejects.toMatchObject({ status: 409 });
    const error = (await duplicate.catch(e => e)) as ModelregError;
    expect(error.message.length).toBeGreaterThan(5);
  });

  it("sends Jupyter's token and the XSRF header of the _xsrf cookie, never a registry token", () => {
    // The XSRF check itself (cookie sessions refused without the header) is covered by the
    // server extension's pytest suite against a real login.
    document.cookie = `_xsrf=${encodeURIComponent('2|abc|def')}; path=/`;
    const settings = jupyterSettings(servers.jupyterUrl, 'jupyter-token');
    expect(jupyterHeaders(settings)).toEqual({
      Authorization: 'token jupyter-token',
      'X-XSRFToken': '2|abc|def'
    });
    document.cookie = '_xsrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/';
    expect(jupyterHeaders(jupyterSettings(servers.jupyterUrl, ''))).toEqual({});
  });

  it('says when the registry behind Jupyter is down', async () => {
    useTestServer(servers.downJupyterUrl);
    const status = await registry.status();
    expect(status).toMatchObject({ configured: true, reachable: false });
    expect(status.message).toContain('is not answering');
    await expect(registry.listModels({})).rejects.toMatchObject({
      code: 'REGISTRY_UNREACHABLE',
      status: 502
    });
  });

  it('says when Jupyter itself cannot be reached', async () => {
    const settings = jupyterSettings('http://127.0.0.1:9/', 'x');
    await expect(requestAPI('status', { settings })).rejects.toMatchObject({
      code: 'NETWORK_ERROR'
    });
  });
});
