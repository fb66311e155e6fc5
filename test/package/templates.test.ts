import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadPackage } from '@lastpass-elastic/package-model';
import { defaultTemplateVars, fakeSecretRef, renderAgentTemplate } from '@lastpass-elastic/package-tools';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { main, memoryIo } from '@lastpass-elastic/cli';
import { check } from '../../packages/cli/src/commands/check';
import { UsageError } from '../../packages/cli/src/command';

const repo = resolve(__dirname, '..', '..');
const pkg = loadPackage(repo);

describe('agent stream templates rendered like Fleet', () => {
  it.each(pkg.dataStreams.map((ds) => [ds.name, ds] as const))(
    '%s renders with every option on, secret only under state',
    (_name, ds) => {
      const { vars, yamlVars } = defaultTemplateVars(pkg, ds, {
        account_number: '12345678',
        proxy_url: 'http://proxy.invalid:3128',
        ssl: 'certificate_authorities:\n  - /etc/ca.pem\n',
        enable_request_tracer: true,
        preserve_original_event: true,
        processors: '- add_fields:\n    target: project\n    fields:\n      name: demo\n',
      });
      const file = join(
        ds.dir,
        'agent',
        'stream',
        ds.manifest.streams?.[0]?.template_path ?? 'stream.yml.hbs',
      );
      const config = renderAgentTemplate(readFileSync(file, 'utf8'), vars, yamlVars) as Record<
        string,
        unknown
      >;
      const ref = fakeSecretRef('provisioning_hash');
      const state = config['state'] as Record<string, unknown>;
      expect(state['provhash']).toBe(ref);
      expect(state['cid']).toBe('12345678');
      expect((config['redact'] as { fields: string[] }).fields).toContain('provhash');
      expect(JSON.stringify({ ...config, state: undefined })).not.toContain(ref);
      expect(config['resource.ssl']).toEqual({ certificate_authorities: ['/etc/ca.pem'] });
      expect(config['resource.proxy_url']).toBe('http://proxy.invalid:3128');
      expect(config['resource.tracer.filename']).toMatch(/http-request-trace/);
      expect(config['tags']).toEqual([
        'preserve_original_event',
        'forwarded',
        `lastpass_enterprise-${ds.name}`,
      ]);
      expect(config['publisher_pipeline.disable_host']).toBe(true);
      expect(config['processors']).toEqual([{ add_fields: { target: 'project', fields: { name: 'demo' } } }]);
      expect(typeof config['program']).toBe('string');
    },
  );

  it('uses the interval defaults of the issue', () => {
    const interval = (name: string): unknown =>
      pkg.dataStreams
        .find((d) => d.name === name)
        ?.manifest.streams?.[0]?.vars?.find((v) => v.name === 'interval')?.default;
    expect([interval('user'), interval('detailed_shared_folder'), interval('event_report')]).toEqual([
      '24h',
      '24h',
      '10m',
    ]);
  });
});

describe('check usage', () => {
  it('rejects a bad --mode as a usage error naming the flag', async () => {
    const run = (): Promise<number> =>
      Promise.resolve().then(() => check.run(['--mode', 'both'], memoryIo({ cwd: repo })));
    await expect(run()).rejects.toThrow(UsageError);
    await expect(run()).rejects.toThrow(/--mode must be "source" or "build", got "both"/);
  });

  it.each([
    [['check', '--root', '/nonexistent/pkg'], '--root: expected a package folder with a manifest.yml'],
    [['build', '--root', '/nonexistent/pkg'], '--root: expected a package folder with a manifest.yml'],
    [['docs', '--check', '--root', '/nonexistent/pkg'], '--root: expected a package folder'],
    [['check', '--spec', '/nonexistent/spec'], '--spec: expected a package-spec checkout'],
    [['build', '--spec', '/nonexistent/spec'], '--spec: expected a package-spec checkout'],
  ])('%j exits 2 with one line naming the flag', async (argv, message) => {
    const io = memoryIo({ cwd: repo });
    expect(await main(argv, io)).toBe(2);
    expect(io.err()).toContain(message);
    expect(io.err().trim().split('\n')).toHaveLength(1);
  });

  it('build --out naming a file exits 2 before anything is built', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'lpe-out-')), 'not-a-folder');
    writeFileSync(file, '');
    const io = memoryIo({ cwd: repo });
    expect(await main(['build', '--out', file], io)).toBe(2);
    expect(io.err()).toContain(`--out: expected a folder, got the file ${file}`);
  });
});
