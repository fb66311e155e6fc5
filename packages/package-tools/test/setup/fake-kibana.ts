import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface KibanaCall {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

/** How the fake Fleet answers; `installed` is the version it reports, `uploadStatus` overrides the upload answer. */
export interface FakeKibanaState {
  installed: string | undefined;
  uploadStatus?: number;
  uploadMessage?: string;
  /** Basic or ApiKey header value required on every call. */
  authorization?: string;
}

export interface FakeKibana {
  url: string;
  calls: KibanaCall[];
  state: FakeKibanaState;
  close(): Promise<void>;
}

/**
 * A few Fleet endpoints, shaped like Kibana 8.x answers (`GET /api/fleet/epm/packages/<name>`,
 * `POST /api/fleet/epm/packages`). A local test instrument, not Kibana.
 */
export async function startFakeKibana(state: FakeKibanaState): Promise<FakeKibana> {
  const calls: KibanaCall[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
      const call: KibanaCall = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers,
        body: Buffer.concat(chunks),
      };
      calls.push(call);
      const reply = (status: number, body: unknown): void => {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      };
      if (state.authorization !== undefined && headers['authorization'] !== state.authorization) {
        reply(401, {
          statusCode: 401,
          error: 'Unauthorized',
          message: '[security_exception]: unable to authenticate user',
        });
        return;
      }
      const match = /^\/api\/fleet\/epm\/packages\/([^/?]+)$/.exec(call.path);
      if (call.method === 'GET' && match) {
        if (state.installed === undefined) {
          reply(404, {
            statusCode: 404,
            error: 'Not Found',
            message: `[${match[1] ?? ''}] package not found in registry`,
          });
        } else {
          reply(200, {
            item: {
              name: match[1],
              version: state.installed,
              status: 'installed',
              installationInfo: { version: state.installed, install_status: 'installed' },
            },
          });
        }
        return;
      }
      if (call.method === 'POST' && call.path === '/api/fleet/epm/packages') {
        if (state.uploadStatus !== undefined) {
          reply(state.uploadStatus, {
            statusCode: state.uploadStatus,
            error: 'Error',
            message: state.uploadMessage ?? 'failed',
          });
          return;
        }
        reply(200, {
          items: [
            { id: 'logs-x', type: 'index_template' },
            { id: 'logs-x-1', type: 'ingest_pipeline' },
          ],
          _meta: { install_source: 'upload', name: 'lastpass_enterprise' },
        });
        return;
      }
      reply(404, { statusCode: 404, error: 'Not Found', message: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    state,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
