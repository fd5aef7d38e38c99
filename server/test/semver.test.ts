import { bumpSemver, compareSemver, parseSemver } from '../src/domain/semver';

describe('semver', () => {
  const p = (s: string) => parseSemver(s)!;
  test('precedence follows semver.org section 11', () => {
    const chain = [
      '1.0.0-alpha',
      '1.0.0-alpha.1',
      '1.0.0-alpha.beta',
      '1.0.0-beta',
      '1.0.0-beta.2',
      '1.0.0-beta.11',
      '1.0.0-rc.1',
      '1.0.0',
      '2.0.0',
      '2.1.0',
      '2.1.1'
    ];
    for (let i = 1; i < chain.length; i++) {
      expect(compareSemver(p(chain[i - 1]), p(chain[i]))).toBe(-1);
    }
    expect(compareSemver(p('1.0.0+a'), p('1.0.0+b'))).toBe(0);
  });
  test('rejects what is not SemVer 2.0.0', () => {
    for (const bad of [
      '1',
      '1.0',
      '1.0.0.0',
      '01.0.0',
      '1.0.0-01',
      '1.0.0-',
      'v1.0.0',
      '1.0.0+',
      ' 1.0.0'
    ]) {
      expect(parseSemver(bad)).toBeNull();
    }
  });
  test('bump', () => {
    expect(bumpSemver(null, 'minor')).toEqual(p('0.1.0'));
    expect(bumpSemver(p('1.2.3'), 'patch')).toEqual(p('1.2.4'));
    expect(bumpSemver(p('2.0.0-rc.1'), 'major')).toEqual(p('2.0.0'));
    expect(bumpSemver(p('1.2.3'), 'major')).toEqual(p('2.0.0'));
  });
});
