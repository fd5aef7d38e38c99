import { api, setupModel, unique } from './helpers/api';
import { describeEachBackend, type TestServer } from './helpers/server';

const KEYS = [
  'intended_use',
  'out_of_scope',
  'versioning',
  'training_data',
  'evaluation',
  'deployment',
  'inference',
  'retraining',
  'monitoring',
  'risks',
  'owners'
];

/** A user with `role` in `group`, and their token. */
async function member(
  s: TestServer,
  group: string,
  role: string
): Promise<string> {
  const username = unique(role);
  expect((await api(s, 'POST', '/users', { json: { username } })).status).toBe(
    201
  );
  const token = (
    await api(s, 'POST', `/users/${username}/tokens`, { json: { name: 't' } })
  ).body.token;
  expect(
    (
      await api(s, 'PUT', `/groups/${group}/members/${username}`, {
        json: { role }
      })
    ).status
  ).toBe(200);
  return token;
}

describeEachBackend('model card', server => {
  test('a new card has every section empty at revision 0; each save is a numbered revision kept as it was', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const fresh = await api(s, 'GET', `${base}/card`);
    expect(fresh.status).toBe(200);
    expect(Object.keys(fresh.body.sections)).toEqual(KEYS);
    expect(fresh.body).toMatchObject({
      revision: 0,
      draft: true,
      updated_by: null,
      completeness: { filled: 0, total: 11, missing: KEYS }
    });

    const first = await api(s, 'PUT', `${base}/card`, {
      json: {
        sections: {
          intended_use: 'Churn scoring for the retention team.',
          risks: '  '
        },
        message: 'first pass'
      }
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({
      revision: 1,
      draft: false,
      message: 'first pass',
      completeness: { filled: 1, total: 11 }
    });
    // Whitespace is not content.
    expect(first.body.completeness.missing).toContain('risks');
    expect(first.body.updated_by).toBeTruthy();

    const second = await api(s, 'PUT', `${base}/card`, {
      json: {
        sections: {
          intended_use: 'Churn scoring.',
          evaluation: 'AUC 0.91 on the March holdout.'
        },
        description: 'Gradient boosted churn model.'
      }
    });
    expect(second.body).toMatchObject({
      revision: 2,
      description: 'Gradient boosted churn model.',
      completeness: { filled: 2 }
    });
    expect((await api(s, 'GET', `${base}/card`)).body.sections.evaluation).toBe(
      'AUC 0.91 on the March holdout.'
    );

    const list = await api(s, 'GET', `${base}/card/revisions`);
    expect(
      list.body.items.map((r: any) => [r.revision, r.filled, r.message])
    ).toEqual([
      [2, 2, null],
      [1, 1, 'first pass']
    ]);
    const paged = await api(s, 'GET', `${base}/card/revisions?limit=1`);
    expect(paged.body.items).toHaveLength(1);
    const rest = await api(
      s,
      'GET',
      `${base}/card/revisions?limit=1&cursor=${paged.body.next_cursor}`
    );
    expect(rest.body.items.map((r: any) => r.revision)).toEqual([1]);
    expect(rest.body.next_cursor).toBeNull();

    const old = await api(s, 'GET', `${base}/card/revisions/1`);
    expect(old.body).toMatchObject({
      revision: 1,
      description: '',
      sections: {
        intended_use: 'Churn scoring for the retention team.',
        evaluation: ''
      }
    });
    const missing = await api(s, 'GET', `${base}/card/revisions/9`);
    expect([missing.status, missing.body.error.code]).toEqual([
      404,
      'NOT_FOUND'
    ]);
    // The activity feed says who saved which revision.
    const activity = await api(s, 'GET', `${base}/activity`);
    expect(
      activity.body.items
        .filter((a: any) => a.action === 'card.edited')
        .map((a: any) => a.details.revision)
    ).toEqual([2, 1]);
  });

  test('bad input is refused and changes nothing: unknown sections, wrong types, stale base revision, roles', async () => {
    const s = server();
    const { group, base } = await setupModel(s);
    for (const body of [
      { sections: { purpose: 'x' } },
      { sections: { risks: 3 } },
      { sections: 'x' },
      {},
      { sections: {}, extra: 1 }
    ]) {
      const r = await api(s, 'PUT', `${base}/card`, { json: body });
      expect({ body, status: r.status, code: r.body.error?.code }).toEqual({
        body,
        status: 400,
        code: 'VALIDATION_ERROR'
      });
    }
    expect((await api(s, 'GET', `${base}/card`)).body.revision).toBe(0);

    expect(
      (
        await api(s, 'PUT', `${base}/card`, {
          json: { sections: { risks: 'a' }, base_revision: 0 }
        })
      ).body.revision
    ).toBe(1);
    const stale = await api(s, 'PUT', `${base}/card`, {
      json: { sections: { risks: 'b' }, base_revision: 0 }
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('revision 1')
    });
    expect((await api(s, 'GET', `${base}/card`)).body).toMatchObject({
      revision: 1,
      sections: { risks: 'a' }
    });

    const reporter = await member(s, group, 'reporter');
    const developer = await member(s, group, 'developer');
    const refused = await api(s, 'PUT', `${base}/card`, {
      token: reporter,
      json: { sections: { risks: 'c' } }
    });
    expect([refused.status, refused.body.error.code]).toEqual([
      403,
      'FORBIDDEN'
    ]);
    expect(
      (await api(s, 'GET', `${base}/card`, { token: reporter })).status
    ).toBe(200);
    expect(
      (
        await api(s, 'PUT', `${base}/card`, {
          token: developer,
          json: { sections: { risks: 'c' } }
        })
      ).body.revision
    ).toBe(2);
    expect((await api(s, 'GET', `${base}/card`, { token: null })).status).toBe(
      404
    );
  });

  test('concurrent saves get distinct revision numbers and none is lost', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const saves = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        api(s, 'PUT', `${base}/card`, {
          json: { sections: { owners: `team ${i}` } }
        })
      )
    );
    expect(saves.map(r => r.status)).toEqual(Array(8).fill(200));
    const numbers = saves.map(r => r.body.revision).sort((a, b) => a - b);
    expect(numbers).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const revisions = await Promise.all(
      numbers.map(n => api(s, 'GET', `${base}/card/revisions/${n}`))
    );
    expect(new Set(revisions.map(r => r.body.sections.owners)).size).toBe(8);
  });

  test('required sections: only an owner sets them; a release is refused with CARD_INCOMPLETE naming what is missing; a pre-release is not', async () => {
    const s = server();
    const { group, base } = await setupModel(s);
    const maintainer = await member(s, group, 'maintainer');
    const byMaintainer = await api(s, 'PATCH', `/groups/${group}`, {
      token: maintainer,
      json: { card_required_sections: ['evaluation'] }
    });
    expect(byMaintainer.status).toBe(403);
    const badKey = await api(s, 'PATCH', `/groups/${group}`, {
      json: { card_required_sections: ['evaluation', 'purpose'] }
    });
    expect([badKey.status, badKey.body.error.code]).toEqual([
      400,
      'VALIDATION_ERROR'
    ]);
    const set = await api(s, 'PATCH', `/groups/${group}`, {
      json: { card_required_sections: ['risks', 'intended_use', 'evaluation'] }
    });
    expect(set.body).toEqual({
      name: group,
      card_required_sections: ['intended_use', 'evaluation', 'risks']
    });
    expect(
      (await api(s, 'GET', `/groups/${group}`)).body.card_required_sections
    ).toEqual(['intended_use', 'evaluation', 'risks']);

    await api(s, 'POST', `${base}/candidates`, { json: { name: 'a' } });
    await api(s, 'POST', `${base}/candidates`, { json: { name: 'b' } });
    await api(s, 'PUT', `${base}/card`, {
      json: { sections: { intended_use: 'Scoring.' } }
    });
    const card = await api(s, 'GET', `${base}/card`);
    expect(card.body.completeness).toMatchObject({
      required: ['intended_use', 'evaluation', 'risks'],
      required_missing: ['evaluation', 'risks']
    });

    const refused = await api(s, 'POST', `${base}/versions`, {
      token: maintainer,
      json: { version: '1.0.0', candidate: 1 }
    });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('CARD_INCOMPLETE');
    expect(refused.body.error.message).toContain('evaluation, risks');
    expect(refused.body.error.message).not.toContain('intended_use');
    // Nothing happened: the candidate is still editable and no version exists.
    expect((await api(s, 'GET', `${base}/candidates/1`)).body.locked).toBe(
      false
    );
    expect((await api(s, 'GET', `${base}/versions`)).body.items).toHaveLength(
      0
    );

    const rc = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0-rc.1', candidate: 1 }
    });
    expect(rc.status).toBe(201);
    expect(rc.body.card_revision).toBe(1);

    await api(s, 'PUT', `${base}/card`, {
      json: {
        sections: {
          intended_use: 'Scoring.',
          evaluation: 'AUC 0.9',
          risks: 'Drift in Q4.'
        }
      }
    });
    const release = await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.0.0', candidate: 2 }
    });
    expect(release.status).toBe(201);
    expect(release.body.card_revision).toBe(2);
    // The version keeps its revision when the card moves on.
    await api(s, 'PUT', `${base}/card`, {
      json: { sections: { intended_use: 'Scoring v2.' } }
    });
    expect(
      (await api(s, 'GET', `${base}/versions/1.0.0`)).body.card_revision
    ).toBe(2);
    expect(
      (await api(s, 'GET', `${base}/versions/1.0.0-rc.1`)).body.card_revision
    ).toBe(1);
  });

  test('card.md: Hugging Face front matter, sections as headings, frozen per version, and an import round trip', async () => {
    const s = server();
    const { group, model, base } = await setupModel(s);
    await api(s, 'PATCH', base, {
      json: {
        metadata: {
          license: 'apache-2.0',
          tags: ['churn', 'tabular'],
          framework: 'scikit-learn',
          task: 'tabular-classification',
          extra: {
            datasets: ['acme/customers-2026'],
            base_model: 'acme/churn-base'
          }
        }
      }
    });
    await api(s, 'POST', `${base}/candidates`, {
      json: {
        metrics: [
          { key: 'auc', value: 0.91 },
          { key: 'logloss', value: 0.3 }
        ]
      }
    });
    await api(s, 'PUT', `${base}/card`, {
      json: {
        description: 'Predicts churn.',
        sections: {
          intended_use: 'Retention campaigns.',
          evaluation: '| metric | value |\n| --- | --- |\n| auc | 0.91 |',
          risks: 'Older customers are under-represented.'
        }
      }
    });
    await api(s, 'POST', `${base}/versions`, {
      json: { version: '1.2.0', candidate: 1 }
    });
    await api(s, 'PUT', `${base}/card`, {
      json: {
        description: 'Predicts churn.',
        sections: { intended_use: 'Retention campaigns, all regions.' }
      }
    });

    const md = await api(s, 'GET', `${base}/card.md?version=1.2.0`);
    expect(md.status).toBe(200);
    expect(md.headers.get('content-type')).toContain('text/markdown');
    const text: string = md.body;
    expect(text.startsWith('---\n')).toBe(true);
    for (const line of [
      'license: apache-2.0',
      'library_name: sklearn',
      'pipeline_tag: tabular-classification',
      'base_model: acme/churn-base',
      'model-index:',
      'type: auc',
      'value: 0.91'
    ]) {
      expect(text).toContain(line);
    }
    expect(text).toContain(`# ${group}/${model}`);
    expect(text).toContain('## Intended use\n\nRetention campaigns.\n');
    expect(text).toContain('## Risks');
    expect(text).not.toContain('all regions');

    const now = (await api(s, 'GET', `${base}/card.md`)).body as string;
    expect(now).toContain('Retention campaigns, all regions.');
    expect(now).not.toContain('## Risks');
    expect((await api(s, 'GET', `${base}/card.md?version=9.9.9`)).status).toBe(
      404
    );

    // Import what was exported into another model: the same sections and metadata come back.
    const other = await setupModel(s);
    const imported = await api(s, 'PUT', `${other.base}/card.md`, {
      body: text,
      headers: { 'content-type': 'text/markdown' }
    });
    expect(imported.status).toBe(200);
    expect(imported.body).toMatchObject({
      revision: 1,
      description: 'Predicts churn.',
      message: 'imported from card.md'
    });
    expect(imported.body.sections).toEqual({
      ...Object.fromEntries(KEYS.map(k => [k, ''])),
      intended_use: 'Retention campaigns.',
      evaluation: '| metric | value |\n| --- | --- |\n| auc | 0.91 |',
      risks: 'Older customers are under-represented.'
    });
    const meta = (await api(s, 'GET', other.base)).body.metadata;
    expect(meta).toMatchObject({
      license: 'apache-2.0',
      tags: ['churn', 'tabular'],
      framework: 'sklearn',
      task: 'tabular-classification',
      extra: {
        datasets: ['acme/customers-2026'],
        base_model: 'acme/churn-base'
      }
    });
  });

  test('card.md import reads Hugging Face template headings, keeps unknown ones, ignores headings in code, refuses broken YAML', async () => {
    const s = server();
    const { base } = await setupModel(s);
    const readme = [
      '---',
      'license: mit',
      'tags: [vision]',
      '---',
      '# Some model',
      '',
      'A model someone made.',
      '',
      '## Uses',
      '',
      'Sorting photos.',
      '',
      '### Direct Use',
      '',
      'In the app.',
      '',
      '## Bias, Risks, and Limitations',
      '',
      'Low light.',
      '',
      '## How to Get Started with the Model',
      '',
      '```python',
      '## not a heading',
      'model.predict(x)',
      '```',
      '',
      '## Citation',
      '',
      '@misc{x}',
      ''
    ].join('\n');
    const r = await api(s, 'PUT', `${base}/card.md`, {
      body: readme,
      headers: { 'content-type': 'text/markdown' }
    });
    expect(r.status).toBe(200);
    expect(r.body.sections.intended_use).toBe(
      'Sorting photos.\n\n### Direct Use\n\nIn the app.'
    );
    expect(r.body.sections.risks).toBe('Low light.');
    expect(r.body.sections.inference).toBe(
      '```python\n## not a heading\nmodel.predict(x)\n```'
    );
    expect(r.body.description).toBe(
      'A model someone made.\n\n## Citation\n\n@misc{x}'
    );

    for (const bad of [
      '---\nlicense: [mit\n---\n# x',
      '---\nlicense: mit\n# never closed',
      '---\n- a list\n---\n'
    ]) {
      const refused = await api(s, 'PUT', `${base}/card.md`, {
        body: bad,
        headers: { 'content-type': 'text/markdown' }
      });
      expect({
        bad,
        status: refused.status,
        code: refused.body.error?.code
      }).toEqual({ bad, status: 400, code: 'VALIDATION_ERROR' });
    }
    expect((await api(s, 'GET', `${base}/card`)).body.revision).toBe(1);
  });

  test('the first candidate drafts the card: notebook title and first markdown cell, detected framework and task, an evaluation table', async () => {
    const s = server();
    const { group } = await setupModel(s);
    const model = unique('drafted');
    const base = `/models/${group}/${model}`;
    const created = await api(
      s,
      'POST',
      `${base}/candidates?create_model=true`,
      {
        json: {
          name: 'first',
          metrics: [{ key: 'val_auc', value: 0.93, step: 4 }],
          provenance: {
            notebook: {
              path: 'work/churn.ipynb',
              snapshot: 'notebook/churn.ipynb'
            },
            environment: {
              packages: [{ name: 'scikit-learn', version: '1.5.0' }]
            }
          }
        }
      }
    );
    expect(created.status).toBe(201);
    const notebook = {
      cells: [
        { cell_type: 'code', source: 'import sklearn' },
        {
          cell_type: 'markdown',
          source: [
            '# Churn model\n',
            'Scores customers by their risk of leaving.'
          ]
        }
      ],
      nbformat: 4
    };
    expect(
      (
        await api(
          s,
          'PUT',
          `${base}/candidates/1/artifacts/notebook/churn.ipynb`,
          { body: JSON.stringify(notebook) }
        )
      ).status
    ).toBe(201);

    const draft = await api(s, 'GET', `${base}/card`);
    expect(draft.body).toMatchObject({
      revision: 0,
      draft: true,
      description: '# Churn model\nScores customers by their risk of leaving.',
      detected: { framework: 'sklearn', task: 'tabular-classification' }
    });
    expect(draft.body.sections.evaluation).toContain('| val_auc | 0.93 | 4 |');
    expect(draft.body.sections.training_data).toContain('work/churn.ipynb');

    // Saving the draft keeps it, and the detected framework and task become the model's.
    const saved = await api(s, 'PUT', `${base}/card`, {
      json: {
        sections: draft.body.sections,
        description: draft.body.description
      }
    });
    expect(saved.body).toMatchObject({ revision: 1, draft: false });
    expect(saved.body.detected).toBeUndefined();
    expect(
      (await api(s, 'GET', `/models/${group}/${model}`)).body.metadata
    ).toMatchObject({ framework: 'sklearn', task: 'tabular-classification' });
  });
});
