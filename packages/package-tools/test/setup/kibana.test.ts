import { zipSync } from 'fflate';
import { endpointFromEnv, readArchive, setupKibana, SetupError } from '../../src';
import { startFakeKibana, type FakeKibana } from './fake-kibana';

function archive(version: string): Uint8Array {
  const manifest = `name: lastpass_enterprise\nversion: ${version}\ntitle: x\n`;
  return zipSync({
    [`lastpass_enterprise-${version}/`]: new Uint8Array(0),
    [`lastpass_enterprise-${version}/manifest.yml`]: Buffer.from(manifest),
  });
}

describe('setup --kibana (Fleet upload) against a fake Kibana', () => {
  let kibana: FakeKibana;
  afterEach(async () => {
    await kibana.close();
  });

  it('asks for the installed version, then sends ONE upload: the zip, application/zip, kbn-xsrf, elastic-api-version, auth', async () => {
    kibana = await startFakeKibana({ installed: undefined, authorization: 'ApiKey c2VjcmV0' });
    const zip = archive('0.2.0');
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, { ELASTICSEARCH_API_KEY: 'c2VjcmV0' });
    const result = await setupKibana(endpoint, readArchive(zip, 'test.zip'));
    expect(result).toEqual({ action: 'installed', version: '0.2.0', previous: undefined, assets: 2 });
    expect(kibana.calls.map((c) => `${c.method} ${c.path}`)).toEqual([
      'GET /api/fleet/epm/packages/lastpass_enterprise',
      'POST /api/fleet/epm/packages',
    ]);
    const upload = kibana.calls[1]!;
    expect(upload.headers).toMatchObject({
      'content-type': 'application/zip',
      'kbn-xsrf': 'true',
      'elastic-api-version': '2023-10-31',
      authorization: 'ApiKey c2VjcmV0',
    });
    expect(Buffer.compare(upload.body, Buffer.from(zip))).toBe(0);
  });

  it('reports unchanged for the installed version, updated for an older one, and refuses a downgrade unless forced', async () => {
    kibana = await startFakeKibana({ installed: '0.2.0' });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {});
    expect((await setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip'))).action).toBe('unchanged');
    expect(kibana.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
    kibana.state.installed = '0.1.0';
    expect(await setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip'))).toMatchObject({
      action: 'updated',
      previous: '0.1.0',
    });
    kibana.state.installed = '0.3.0';
    await expect(setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip'))).rejects.toMatchObject({
      code: 'SETUP_DOWNGRADE_REFUSED',
    });
    expect(
      await setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip'), { force: true }),
    ).toMatchObject({ action: 'downgraded' });
    expect(kibana.calls.filter((c) => c.method === 'POST')).toHaveLength(2);
  });

  it.each([
    [401, 'SETUP_AUTH_FAILED', /refused the credentials \(401\)/],
    [403, 'SETUP_FORBIDDEN', /Integrations "all"/],
    [409, 'SETUP_VERSION_CONFLICT', /version conflict \(409\) on POST \/api\/fleet\/epm\/packages: busy/],
    [413, 'SETUP_TOO_LARGE', /under 100 MB/],
    [400, 'SETUP_PACKAGE_REJECTED', /rejected the package \(400\): busy/],
    [429, 'SETUP_RATE_LIMITED', /rate-limits uploads \(429, one per 10 s per Kibana\): busy/],
    [500, 'SETUP_REQUEST_FAILED', /POST \/api\/fleet\/epm\/packages failed \(HTTP 500\): busy/],
  ])('explains an upload answered %i in one line', async (status, code, text) => {
    kibana = await startFakeKibana({ installed: undefined, uploadStatus: status, uploadMessage: 'busy' });
    const endpoint = endpointFromEnv('Kibana', '--kibana', kibana.url, {
      ELASTICSEARCH_USERNAME: 'elastic',
      ELASTICSEARCH_PASSWORD: 'hunter2',
    });
    const error: unknown = await setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip')).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SetupError);
    expect(error).toMatchObject({ code });
    const message = (error as SetupError).message;
    expect(message).toMatch(text);
    expect(message).not.toContain('\n');
    expect(message).not.toContain('hunter2');
    expect(message).not.toContain(Buffer.from('elastic:hunter2').toString('base64'));
  });

  it('reports an unreachable Kibana without a stack of details', async () => {
    kibana = await startFakeKibana({ installed: undefined });
    const url = kibana.url;
    await kibana.close();
    const endpoint = endpointFromEnv('Kibana', '--kibana', url, {});
    await expect(setupKibana(endpoint, readArchive(archive('0.2.0'), 'a.zip'))).rejects.toMatchObject({
      code: 'SETUP_UNREACHABLE',
      retryable: true,
      message: expect.stringMatching(/^Kibana at http:\/\/127\.0\.0\.1:\d+ is unreachable \(ECONNREFUSED\)$/),
    });
  });

  it('refuses archives Kibana would refuse: not a zip, wrong top folder', () => {
    expect(() => readArchive(new Uint8Array([1, 2, 3]), 'x.zip')).toThrow('x.zip is not a zip archive');
    expect(() => readArchive(new Uint8Array([1, 2, 3]), 'x.zip')).toThrow(
      expect.objectContaining({ code: 'SETUP_INVALID_PACKAGE', retryable: false }),
    );
    const wrong = zipSync({
      'other-1.0.0/manifest.yml': Buffer.from('name: lastpass_enterprise\nversion: 0.2.0\n'),
    });
    expect(() => readArchive(wrong, 'w.zip')).toThrow('top folder must be lastpass_enterprise-0.2.0/');
  });
});
