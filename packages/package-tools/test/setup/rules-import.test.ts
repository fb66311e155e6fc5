import { zipSync } from 'fflate';
import {
  endpointFromEnv,
  importRules,
  multipartNdjson,
  readArchive,
  rulesFromArchive,
  SetupError,
} from '../../src';
import { multipartParts, startFakeKibana, type FakeKibana } from './fake-kibana';

const rule = (id: string, name = `Rule ${id}`): Record<string, unknown> => ({
  rule_id: id,
  version: 1,
  name,
  type: 'query',
  language: 'kuery',
  query: 'event.action : "make admin"',
  risk_score: 73,
  severity: 'high',
});

function archiveWithRules(rules: Record<string, unknown>[]): Uint8Array {
  const top = 'lastpass_enterprise-0.2.0/';
  const files: Record<string, Uint8Array> = {
    [top]: new Uint8Array(0),
    [`${top}manifest.yml`]: Buffer.from('name: lastpass_enterprise\nversion: 0.2.0\ntitle: x\n'),
    [`${top}kibana/dashboard/lastpass_enterprise-x.json`]: Buffer.from(
      '{"id":"lastpass_enterprise-x","type":"dashboard","attributes":{}}',
    ),
  };
  for (const r of rules)
    files[`${top}kibana/security_rule/${String(r['rule_id'])}_1.json`] = Buffer.from(
      JSON.stringify({ id: `${String(r['rule_id'])}_1`, type: 'security-rule', attributes: r }),
    );
  return zipSync(files);
}

describe('setup --kibana --import-rules: the Detection Engine rules import API, against a fake Kibana', () => {
  let kibana: FakeKibana;
  afterEach(async () => {
    await kibana.close();
  });

  it('sends ONE multipart/form-data POST: a `file` part named *.ndjson, one rule per line, disabled, overwrite=true, kbn-xsrf, API version, auth', async () => {
    kibana = await startFakeKibana({ installed: undefined, authorization: 'ApiKey a2V5' });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, { ELASTICSEARCH_API_KEY: 'a2V5' });
    const rules = rulesFromArchive(readArchive(archiveWithRules([rule('r-1'), rule('r-2')]), 'p.zip'));
    expect(rules.map((r) => r['rule_id'])).toEqual(['r-1', 'r-2']);
    expect(await importRules(endpoint, rules)).toEqual({ rules: 2, imported: 2 });
    expect(kibana.calls).toHaveLength(1);
    const sent = kibana.calls[0]!;
    expect(`${sent.method} ${sent.path}`).toBe('POST /api/detection_engine/rules/_import?overwrite=true');
    expect(sent.headers).toMatchObject({
      'kbn-xsrf': 'true',
      'elastic-api-version': '2023-10-31',
      authorization: 'ApiKey a2V5',
    });
    expect(sent.headers['content-type']).toMatch(/^multipart\/form-data; boundary=\S+$/);
    const parts = multipartParts(sent.headers['content-type'] ?? '', sent.body);
    expect(parts.map((p) => [p.name, p.filename])).toEqual([['file', 'lastpass_enterprise-rules.ndjson']]);
    const lines = parts[0]!.content
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => [l['rule_id'], l['enabled']])).toEqual([
      ['r-1', false],
      ['r-2', false],
    ]);
    expect([...(kibana.state.rules?.keys() ?? [])]).toEqual(['r-1', 'r-2']);
  });

  it('a second import overwrites the same rule_ids (idempotent); without overwrite Kibana would refuse them', async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    await importRules(endpoint, [rule('r-1', 'old name')]);
    await importRules(endpoint, [rule('r-1', 'new name')]);
    expect(kibana.state.rules?.get('r-1')?.['name']).toBe('new name');
    expect(kibana.state.rules?.size).toBe(1);
  });

  it('Kibana refuses a file that is not named .ndjson (the reason the part is named so)', async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const { body, contentType } = multipartNdjson([rule('r-1')], 'rules.json');
    const res = await fetch(`${kibana.url}/api/detection_engine/rules/_import`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'kbn-xsrf': 'true' },
      body,
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/Invalid file extension \.json/);
  });

  it('reports refused rules (per-rule errors in a 200 answer) in one line naming the first rule and reason', async () => {
    kibana = await startFakeKibana({ installed: undefined, refuseRuleIds: ['r-2'] });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    const error: unknown = await importRules(endpoint, [rule('r-1'), rule('r-2')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SETUP_RULES_REJECTED' });
    expect((error as Error).message).toBe(
      'Kibana imported 1 of 2 rules; 1 refused, first: r-2: threshold.value: Expected number, received string',
    );
  });

  it("a failed import (HTTP 500) is one line with Kibana's message", async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    kibana.state.importStatus = 500;
    const error: unknown = await importRules(endpoint, [rule('r-1')]).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'SETUP_REQUEST_FAILED' });
    expect((error as Error).message).toMatch(/_import failed \(HTTP 500\): refused/);
  });

  it.each([
    [401, 'SETUP_AUTH_FAILED', /refused the credentials \(401\)/],
    [403, 'SETUP_FORBIDDEN', /Security "Rules" \(Detections\) "all" privilege/],
    [404, 'SETUP_REQUEST_FAILED', /no Security solution/],
  ])('explains an import answered %i in one line', async (status, code, text) => {
    kibana = await startFakeKibana({ installed: undefined, importStatus: status });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, { ELASTICSEARCH_API_KEY: 'c2VjcmV0' });
    const error: unknown = await importRules(endpoint, [rule('r-1')]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code });
    expect((error as Error).message).toMatch(text);
    expect((error as Error).message).not.toContain('c2VjcmV0');
  });

  it('an import without overwrite is refused per rule for existing rule_ids; importRules always overwrites', async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    const bad = { ...rule('r-9'), rule_id: 'r-9' };
    kibana.state.rules = new Map([['r-9', bad]]);
    // a call without overwrite (as an older client would send) gets per-rule 409s
    const { body, contentType } = multipartNdjson([bad]);
    const res = await fetch(`${kibana.url}/api/detection_engine/rules/_import`, {
      method: 'POST',
      headers: { 'content-type': contentType, 'kbn-xsrf': 'true' },
      body,
    });
    expect(await res.json()).toMatchObject({
      success: false,
      success_count: 0,
      errors: [{ rule_id: 'r-9' }],
    });
    // importRules always overwrites, so it succeeds where that call failed
    expect(await importRules(endpoint, [bad])).toEqual({ rules: 1, imported: 1 });
  });

  it('sends nothing when the package has no rules', async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    expect(await importRules(endpoint, [])).toEqual({ rules: 0, imported: 0 });
    expect(kibana.calls).toEqual([]);
  });
});
