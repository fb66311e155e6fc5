import { resolve } from 'node:path';
import {
  ECS_VERSION,
  fleetPipelineName,
  indexTemplateName,
  loadPackage,
} from '@lastpass-elastic/package-model';

const pkg = loadPackage(resolve(__dirname, '..', '..'));

describe('the lastpass_enterprise package as the model reads it', () => {
  it('has the manifest of issue 2', () => {
    expect(pkg.manifest).toMatchObject({
      name: 'lastpass_enterprise',
      title: 'LastPass Enterprise',
      format_version: '3.3.5',
    });
    expect(pkg.manifest.conditions?.kibana?.version).toBe('^8.16.0 || ^9.0.0');
    expect(pkg.manifest.categories).toEqual(['security', 'credential_management']);
    const vars = pkg.manifest.policy_templates?.[0]?.inputs?.[0]?.vars ?? [];
    expect(vars.map((v) => v.name)).toEqual([
      'url',
      'account_number',
      'provisioning_hash',
      'time_zone',
      'api_user',
      'proxy_url',
      'ssl',
      'http_client_timeout',
      'enable_request_tracer',
    ]);
    expect(vars.find((v) => v.name === 'provisioning_hash')).toMatchObject({
      type: 'password',
      secret: true,
    });
    expect(vars.find((v) => v.name === 'time_zone')?.default).toBe('America/New_York');
    expect(vars.find((v) => v.name === 'url')?.default).toBe('https://lastpass.com/enterpriseapi.php');
  });

  it('has three logs data streams with Fleet names and the required base fields', () => {
    expect(pkg.dataStreams.map((d) => d.name)).toEqual(['detailed_shared_folder', 'event_report', 'user']);
    for (const ds of pkg.dataStreams) {
      expect(ds.dataset).toBe(`lastpass_enterprise.${ds.name}`);
      expect(fleetPipelineName(pkg, ds)).toBe(`logs-lastpass_enterprise.${ds.name}-${pkg.manifest.version}`);
      expect(indexTemplateName(pkg, ds)).toBe(`logs-lastpass_enterprise.${ds.name}`);
      const byName = new Map(ds.fields.map((f) => [f.name, f]));
      expect(byName.get('event.dataset')?.value).toBe(ds.dataset);
      expect(byName.get('@timestamp')?.type).toBe('date');
      for (const name of ['data_stream.type', 'data_stream.dataset', 'data_stream.namespace']) {
        expect(byName.get(name)?.type).toBe('constant_keyword');
      }
      expect(ds.pipelineFiles[0]?.base).toBe('default');
    }
  });

  it('pins ECS to 8.11.0 through @elastic/ecs', () => {
    expect(ECS_VERSION).toBe('8.11.0');
  });
});
