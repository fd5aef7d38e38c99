/** PanelState against the real registry (through the Jupyter proxy). */
import { PanelState } from '../panelState';
import { registryCall, testServers, useTestServer } from './servers';

describe('PanelState', () => {
  const servers = testServers();
  const pagingGroup = `${servers.group}p`;
  beforeAll(async () => {
    useTestServer();
    await registryCall('POST', 'groups', {
      name: pagingGroup,
      visibility: 'private'
    });
    // Three models in a group of their own, so paging has a known number to page through.
    for (const name of ['alpha', 'beta', 'gamma']) {
      await registryCall('POST', `models/${pagingGroup}`, { name });
    }
    await registryCall('POST', `models/${servers.group}`, { name: 'beta' });
  });

  it('pages through models with the page size of the settings', async () => {
    const model = new PanelState({ pageSize: 2, defaultGroup: pagingGroup });
    let changes = 0;
    model.changed.connect(() => changes++);
    await model.search('');
    expect(model.models.value).toHaveLength(2);
    expect(model.page).toBe(1);
    expect(model.hasNextPage).toBe(true);
    const firstPage = model.models.value.map(m => m.full_name);

    await model.nextPage();
    expect(model.page).toBe(2);
    expect(model.hasPreviousPage).toBe(true);
    const secondPage = model.models.value.map(m => m.full_name);
    expect(secondPage).toHaveLength(1);
    expect(new Set([...firstPage, ...secondPage]).size).toBe(3);

    await model.previousPage();
    expect(model.models.value.map(m => m.full_name)).toEqual(firstPage);
    expect(changes).toBeGreaterThan(3);
  });

  it('searches by name', async () => {
    const model = new PanelState({ defaultGroup: pagingGroup });
    await model.search('alpha');
    expect(model.models.value.map(m => m.full_name)).toEqual([
      `${pagingGroup}/alpha`
    ]);
  });

  it('opens a model card with versions, candidates, aliases and deployments', async () => {
    const model = new PanelState();
    await model.openModel(servers.model, {
      section: 'candidates',
      candidate: servers.candidates[1]
    });
    const card = model.card.value!;
    expect(card.model.full_name).toBe(servers.model);
    expect(card.versions.map(v => v.version)).toEqual(['1.0.0']);
    expect(card.candidates.length).toBeGreaterThanOrEqual(2);
    expect(card.aliases.map(a => a.alias)).toEqual(['production']);
    expect(model.section).toBe('candidates');
    expect(model.highlight).toBe(servers.candidates[1]);

    model.toggleCompare('c:1');
    model.toggleCompare('v:1.0.0');
    expect(model.compareSelection).toEqual(['c:1', 'v:1.0.0']);
    model.toggleCompare('c:1');
    expect(model.compareSelection).toEqual(['v:1.0.0']);
    model.closeModel();
    expect(model.selected).toBeNull();
    expect(model.compareSelection).toEqual([]);
  });

  it('keeps the error of a missing model', async () => {
    const model = new PanelState();
    await model.openModel(`${servers.group}/missing`);
    expect(model.card.error?.code).toBe('NOT_FOUND');
    expect(model.card.loading).toBe(false);
  });

  it('saves the card and shows the saved text', async () => {
    const model = new PanelState();
    await model.openModel(`${servers.group}/beta`);
    await model.saveCard({
      description: '# Beta\n\nedited',
      metadata: { framework: 'pytorch' }
    });
    expect(model.card.value!.model.description).toBe('# Beta\n\nedited');
    const stored = await registryCall('GET', `models/${servers.group}/beta`);
    expect(stored.metadata.framework).toBe('pytorch');
  });
});

describe('PanelState settings', () => {
  const servers = testServers();
  beforeAll(() => useTestServer());

  it('reloads the list when the default group changes', async () => {
    const model = new PanelState();
    await model.refreshStatus();
    await model.search('');
    const everything = model.models.value.length;
    model.updateSettings({ defaultGroup: servers.group });
    await new Promise<void>(resolve => {
      const done = () => {
        if (!model.models.loading) {
          model.changed.disconnect(done);
          resolve();
        }
      };
      model.changed.connect(done);
    });
    expect(model.models.value.every(m => m.group === servers.group)).toBe(true);
    expect(model.models.value.length).toBeLessThanOrEqual(everything);
  });
});
