import {
  compareValues,
  decodePageToken,
  encodePageToken,
  matches,
  page,
  parseFilter,
  parseOrderBy
} from '../../src/mlflow/filter';
import { MlflowError, toMlflowError } from '../../src/mlflow/errors';
import { ApiError } from '../../src/errors';
import { subpathOfSource, latestPerStage } from '../../src/mlflow/views';

// MLflow's filter language as its client sends it; these pin the corners pytest does not reach.
describe('parseFilter', () => {
  it('reads prefixed clauses joined by AND, case-insensitively', () => {
    expect(
      parseFilter(
        "metrics.acc > 0.9 and params.depth = '6' AND tags.`team name` LIKE 'churn%'"
      )
    ).toEqual([
      { kind: 'metric', key: 'acc', op: '>', value: 0.9 },
      { kind: 'param', key: 'depth', op: '=', value: '6' },
      { kind: 'tag', key: 'team name', op: 'LIKE', value: 'churn%' }
    ]);
  });

  it('reads IN lists, NOT IN, IS NULL, quoted keys and dotted keys', () => {
    expect(
      parseFilter("attributes.status IN ('FINISHED', 'FAILED')")[0]
    ).toMatchObject({
      kind: 'attribute',
      key: 'status',
      op: 'IN',
      value: ['FINISHED', 'FAILED']
    });
    expect(parseFilter("run_id NOT IN ('a')")[0]).toMatchObject({
      op: 'NOT IN',
      value: ['a']
    });
    expect(parseFilter('tags.x IS NOT NULL')[0]).toMatchObject({
      op: 'IS NOT NULL'
    });
    expect(parseFilter('metrics."val loss" <= -1e-3')[0]).toMatchObject({
      key: 'val loss',
      op: '<=',
      value: -0.001
    });
    expect(parseFilter('metrics.val.acc >= 1')[0]).toMatchObject({
      key: 'val.acc',
      value: 1
    });
    expect(
      parseFilter("tag.`mlflow.prompt.is_prompt` != 'true'")[0]
    ).toMatchObject({ kind: 'tag', key: 'mlflow.prompt.is_prompt', op: '!=' });
  });

  it('refuses OR, dangling comparisons and unquoted strings with INVALID_PARAMETER_VALUE', () => {
    for (const bad of [
      'metrics.a > 1 or metrics.b > 2',
      'metrics.a >',
      'params.x = abc',
      "params.x = 'open"
    ]) {
      expect(() => parseFilter(bad)).toThrow(MlflowError);
      try {
        parseFilter(bad);
      } catch (e) {
        expect((e as MlflowError).code).toBe('INVALID_PARAMETER_VALUE');
      }
    }
  });
});

describe('matches and ordering', () => {
  it('compares numbers as numbers and strings as strings', () => {
    const [gt] = parseFilter('metrics.acc > 0.5');
    expect(matches(gt, 0.51)).toBe(true);
    expect(matches(gt, 0.5)).toBe(false);
    const [eq] = parseFilter("params.depth = '10'");
    expect(matches(eq, '10')).toBe(true);
    expect(matches(eq, '010')).toBe(false);
  });

  it('LIKE is case-sensitive, ILIKE is not; % and _ are wildcards, other characters literal', () => {
    expect(matches(parseFilter("tags.t LIKE 'a.c%'")[0], 'a.cde')).toBe(true);
    expect(matches(parseFilter("tags.t LIKE 'a.c%'")[0], 'abcde')).toBe(false);
    expect(matches(parseFilter("tags.t LIKE 'A_c'")[0], 'abc')).toBe(false);
    expect(matches(parseFilter("tags.t ILIKE 'A_c'")[0], 'abc')).toBe(true);
  });

  it("a missing value fails comparisons except a tag's != (how the client hides prompts)", () => {
    expect(matches(parseFilter('metrics.acc > 0')[0], undefined)).toBe(false);
    expect(matches(parseFilter("params.p != 'x'")[0], undefined)).toBe(false);
    expect(matches(parseFilter("tags.p != 'x'")[0], undefined)).toBe(true);
    expect(matches(parseFilter('tags.p IS NULL')[0], undefined)).toBe(true);
  });

  it('order_by terms default to ascending; missing values sort last both ways', () => {
    expect(
      parseOrderBy([
        'metrics.acc DESC',
        'attributes.start_time',
        'params.`a b` asc'
      ])
    ).toEqual([
      { kind: 'metric', key: 'acc', desc: true },
      { kind: 'attribute', key: 'start_time', desc: false },
      { kind: 'param', key: 'a b', desc: false }
    ]);
    const values = [0.2, undefined, 0.9];
    expect([...values].sort((a, b) => compareValues(a, b, true))).toEqual([
      0.9,
      0.2,
      undefined
    ]);
    expect([...values].sort((a, b) => compareValues(a, b, false))).toEqual([
      0.2,
      0.9,
      undefined
    ]);
  });
});

describe('paging', () => {
  it('hands out opaque tokens that come back to the next page and refuses forged ones', () => {
    const items = [1, 2, 3, 4, 5];
    const first = page(items, 2, undefined);
    expect(first.items).toEqual([1, 2]);
    const second = page(items, 2, first.next_page_token);
    expect(second.items).toEqual([3, 4]);
    const last = page(items, 2, second.next_page_token);
    expect(last.items).toEqual([5]);
    expect(last.next_page_token).toBeUndefined();
    expect(decodePageToken(encodePageToken(7))).toBe(7);
    expect(() => decodePageToken('not-a-token')).toThrow(MlflowError);
  });
});

describe('mapping rules', () => {
  it('a source names the folder load_model downloads', () => {
    expect(subpathOfSource('runs:/abc/model')).toBe('model');
    expect(subpathOfSource('mlflow-artifacts:/3/abc/artifacts/model/')).toBe(
      'model'
    );
    expect(subpathOfSource('models:/m-123')).toBeNull();
  });

  it('latest_versions lists the highest version per stage', () => {
    const v = (version: string, current_stage: string) => ({
      version,
      current_stage
    });
    expect(
      latestPerStage([v('1', 'None'), v('3', 'None'), v('2', 'Production')])
    ).toEqual([v('2', 'Production'), v('3', 'None')]);
    expect(
      latestPerStage([v('1', 'None'), v('2', 'Production')], ['production'])
    ).toEqual([v('2', 'Production')]);
  });

  it('registry errors reach the client as MLflow codes; a locked version is INVALID_STATE with 400, not a retried 500', () => {
    expect(
      toMlflowError(new ApiError('VERSION_LOCKED', 'locked'))
    ).toMatchObject({ status: 400, body: { error_code: 'INVALID_STATE' } });
    expect(toMlflowError(new ApiError('NOT_FOUND', 'x'))).toMatchObject({
      status: 404,
      body: { error_code: 'RESOURCE_DOES_NOT_EXIST' }
    });
    expect(toMlflowError(new ApiError('FORBIDDEN', 'x'))).toMatchObject({
      status: 403,
      body: { error_code: 'PERMISSION_DENIED' }
    });
    expect(toMlflowError(new Error('db exploded'))).toMatchObject({
      status: 500,
      internal: true,
      body: { error_code: 'INTERNAL_ERROR' }
    });
    expect(toMlflowError(new Error('db exploded')).body.message).not.toContain(
      'exploded'
    );
  });
});
