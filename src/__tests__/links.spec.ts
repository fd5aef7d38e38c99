import { webUrl } from '../links';

describe('webUrl', () => {
  it('keeps http(s) links and drops every other scheme', () => {
    expect(webUrl('https://ci.example.com/jobs/1')).toBe(
      'https://ci.example.com/jobs/1'
    );
    expect(webUrl('http://127.0.0.1:8080/x')).toBe('http://127.0.0.1:8080/x');
    for (const bad of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      '/relative',
      '',
      null,
      undefined
    ]) {
      expect(webUrl(bad)).toBeNull();
    }
  });
});
