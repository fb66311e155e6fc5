// The user docs (issue #15 items 14 and 16): no development-log wording, no paths into ../shared that users
// do not have, one systemd unit (the same in both READMEs, with exit 3 kept from restarting), and a
// Troubleshooting section covering what users hit.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const read = (rel: string): string => readFileSync(join(ROOT, rel), 'utf8');
const USER_DOCS = [
  'README.md',
  'docs/README.md',
  '_dev/build/docs/README.md',
  ...readdirSync(join(ROOT, 'packages'))
    .map((p) => `packages/${p}/README.md`)
    .filter((f) => existsSync(join(ROOT, f))),
];

describe('user docs', () => {
  it.each(USER_DOCS)('%s has no development-log wording', (file) => {
    const text = read(file);
    const found = [
      /\b(first|this|the) session\b/i,
      /\bsession's\b/i,
      /\bmid-session\b/i,
      /\bissue #\d+/i,
      /\btoday's runs\b/i,
      /\bruns of the day\b/i,
      /\bthe review fixes\b/i,
      /(\.\.\/){2,}shared\//,
    ].filter((re) => re.test(text));
    expect(found).toEqual([]);
  });

  it('the shipped package docs never point into ../shared; the README says what ../shared is', () => {
    expect(read('docs/README.md')).not.toMatch(/\.\.\/shared/);
    expect(read('_dev/build/docs/README.md')).not.toMatch(/\.\.\/shared/);
    expect(read('README.md').replace(/\s+/g, ' ')).toMatch(
      /`\.\.\/shared` is the developers' reference corpus .*CI have it/,
    );
  });

  it('both READMEs show the same systemd unit, which does not restart on exit 2 or 3', () => {
    const unit = (file: string): string => {
      const m = /```ini\n(# \/etc\/systemd\/system\/lastpass-elastic\.service[\s\S]*?)```/.exec(read(file));
      return m?.[1] ?? '';
    };
    const main = unit('README.md');
    expect(main).toMatch(/^RestartPreventExitStatus=2 3$/m);
    expect(main).toMatch(/^ExecStart=\S+lastpass-elastic collect$/m);
    expect(unit('packages/collector/README.md')).toBe(main);
  });

  it('README Troubleshooting covers what users hit', () => {
    const text = read('README.md');
    const section = text.slice(
      text.indexOf('## Troubleshooting'),
      text.indexOf('\n## ', text.indexOf('## Troubleshooting') + 5),
    );
    for (const topic of [
      /LASTPASS_AUTH_FAILED.*exit 3/,
      /regenerates it[\s\S]*every integration/,
      /Rotating the provisioning hash[\s\S]*No restart is needed/,
      /limited admin/,
      /blocked_by_account_policy/,
      /event logging may be off/,
      /TIME_ZONE_MISMATCH/,
      /429/,
    ])
      expect([topic.source, topic.test(section)]).toEqual([topic.source, true]);
  });
});
