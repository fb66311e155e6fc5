import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { call, endpointFromEnv } from '../../src';

/** A self-signed certificate for 127.0.0.1 made with the openssl CLI (skipped, with a reason, without it). */
function makeCertificate(dir: string): { key: string; cert: string } | undefined {
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return {
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    };
  } catch {
    return undefined;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'lpe-tls-'));
const pair = makeCertificate(dir);
if (pair === undefined)
  console.log('skipping TLS tests: the openssl command is not available to make a test certificate');

(pair === undefined ? describe.skip : describe)(
  'setup TLS: verification on by default, ELASTICSEARCH_CA_FILE trusted',
  () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      server = createServer({ key: pair?.key, cert: pair?.cert }, (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    });

    it('refuses an untrusted certificate with SETUP_TLS naming the fix', async () => {
      await expect(
        call(endpointFromEnv('Elasticsearch', '--elasticsearch', url, {}), 'GET', '/'),
      ).rejects.toMatchObject({
        code: 'SETUP_TLS',
        message: expect.stringContaining('set ELASTICSEARCH_CA_FILE'),
      });
    });

    it('trusts the CA from ELASTICSEARCH_CA_FILE, and --insecure skips verification', async () => {
      const trusted = endpointFromEnv('Elasticsearch', '--elasticsearch', url, {
        ELASTICSEARCH_CA_FILE: join(dir, 'cert.pem'),
      });
      expect((await call(trusted, 'GET', '/')).json).toEqual({ ok: true });
      const insecure = endpointFromEnv('Elasticsearch', '--elasticsearch', url, {}, true);
      expect((await call(insecure, 'GET', '/')).status).toBe(200);
    });
  },
);
