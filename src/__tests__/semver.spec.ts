import { isSemver, nextVersions } from '../semver';

describe('nextVersions', () => {
  it('suggests the next patch, minor and major after the highest release', () => {
    expect(nextVersions(['1.2.0', '1.10.3', '0.9.9'])).toEqual({
      patch: '1.10.4',
      minor: '1.11.0',
      major: '2.0.0'
    });
  });

  it('ignores pre-releases when picking the base', () => {
    expect(nextVersions(['2.0.0-rc.1', '1.0.0']).patch).toBe('1.0.1');
  });

  it('suggests a first release when there is none', () => {
    expect(nextVersions([])).toEqual({
      patch: '0.0.1',
      minor: '0.1.0',
      major: '1.0.0'
    });
  });
});

describe('isSemver', () => {
  it.each(['1.2.0', '0.0.1', '2.0.0-rc.1', '1.0.0+build.5'])(
    'accepts %s',
    v => {
      expect(isSemver(v)).toBe(true);
    }
  );
  it.each(['1.2', 'v1.2.0', '01.2.0', '1.2.0.4', ''])('rejects %s', v => {
    expect(isSemver(v)).toBe(false);
  });
});
