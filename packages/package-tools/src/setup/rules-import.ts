import { randomBytes } from 'node:crypto';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { call, errorText, type Endpoint } from './http';
import { SetupError } from './errors';
import type { PackageArchive } from './kibana';

/** The detection engine's public API version header value (Kibana 8.x and 9.x). */
export const DETECTION_API_VERSION = '2023-10-31';
/** Kibana's import route refuses a file whose name does not end in .ndjson. */
export const RULES_FILE_NAME = 'lastpass_enterprise-rules.ndjson';

export interface RulesImportResult {
  /** Rules sent. */
  rules: number;
  /** Rules Kibana created or overwrote (`success_count`). */
  imported: number;
}

const importReplySchema = z.looseObject({
  success: z.boolean().optional(),
  success_count: z.number(),
  rules_count: z.number().optional(),
  errors: z
    .array(
      z.looseObject({
        rule_id: z.string().optional(),
        id: z.string().optional(),
        error: z
          .looseObject({ status_code: z.number().optional(), message: z.string().optional() })
          .optional(),
      }),
    )
    .default([]),
});

/** The `security-rule` assets of a package zip (`<name>-<version>/kibana/security_rule/*.json`), as rule bodies. */
export function rulesFromArchive(archive: PackageArchive): Record<string, unknown>[] {
  const prefix = `${archive.name}-${archive.version}/kibana/security_rule/`;
  const files = unzipSync(archive.zip, {
    filter: (f) => f.name.startsWith(prefix) && f.name.endsWith('.json'),
  });
  return Object.keys(files)
    .sort()
    .map((name) => {
      const data = files[name] ?? new Uint8Array();
      let so: unknown;
      try {
        so = JSON.parse(Buffer.from(data).toString('utf8'));
      } catch {
        throw new SetupError('SETUP_INVALID_PACKAGE', `${name} is not JSON`);
      }
      const parsed = z
        .looseObject({ type: z.literal('security-rule'), attributes: z.looseObject({ rule_id: z.string() }) })
        .safeParse(so);
      if (!parsed.success)
        throw new SetupError('SETUP_INVALID_PACKAGE', `${name} is not a security-rule saved object`);
      return parsed.data.attributes;
    });
}

/** The multipart/form-data body Kibana's import route reads: one `file` part holding NDJSON. */
export function multipartNdjson(
  lines: unknown[],
  fileName = RULES_FILE_NAME,
): { body: Buffer; contentType: string } {
  const boundary = `----lastpass-elastic-${randomBytes(12).toString('hex')}`;
  const ndjson = lines.map((l) => JSON.stringify(l)).join('\n');
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/ndjson\r\n\r\n`,
    ),
    Buffer.from(`${ndjson}\n`),
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

/**
 * Imports detection rules through the Detection Engine API: `POST /api/detection_engine/rules/_import
 * ?overwrite=true`, multipart/form-data with a `file` part named *.ndjson, one rule per line, headers
 * `kbn-xsrf` and `elastic-api-version`. The rules are imported disabled (`enabled: false`): enable them in
 * Security → Rules after review. `overwrite=true` makes a re-run update the rules with the same rule_id.
 * Imported rules are custom rules; they do not update with the package (run again after an upgrade).
 */
export async function importRules(
  kibana: Endpoint,
  rules: Record<string, unknown>[],
): Promise<RulesImportResult> {
  if (rules.length === 0) return { rules: 0, imported: 0 };
  const { body, contentType } = multipartNdjson(rules.map((r) => ({ ...r, enabled: false })));
  const path = '/api/detection_engine/rules/_import?overwrite=true';
  const what = 'POST /api/detection_engine/rules/_import';
  const reply = await call(kibana, 'POST', path, {
    body,
    headers: {
      'content-type': contentType,
      'kbn-xsrf': 'true',
      'elastic-api-version': DETECTION_API_VERSION,
    },
  });
  switch (reply.status) {
    case 200:
      break;
    case 401:
      throw new SetupError(
        'SETUP_AUTH_FAILED',
        `Kibana refused the credentials (401) on ${what}; check ELASTICSEARCH_API_KEY or ELASTICSEARCH_USERNAME/PASSWORD`,
      );
    case 403:
      throw new SetupError(
        'SETUP_FORBIDDEN',
        `Kibana denied ${what} (403): the user needs the Security "Rules" (Detections) "all" privilege (${errorText(reply)})`,
      );
    case 404:
      throw new SetupError(
        'SETUP_REQUEST_FAILED',
        `${what} answered 404: this Kibana has no Security solution (detection engine) in this space`,
      );
    default:
      throw new SetupError(
        'SETUP_REQUEST_FAILED',
        `${kibana.label} ${what} failed (HTTP ${reply.status}): ${errorText(reply)}`,
      );
  }
  const parsed = importReplySchema.safeParse(reply.json);
  if (!parsed.success)
    throw new SetupError('SETUP_REQUEST_FAILED', `${what}: unexpected answer (no success_count)`);
  const errors = parsed.data.errors;
  if (errors.length > 0) {
    const first = errors[0];
    throw new SetupError(
      'SETUP_RULES_REJECTED',
      `Kibana imported ${parsed.data.success_count} of ${rules.length} rules; ${errors.length} refused, first: ${first?.rule_id ?? first?.id ?? '?'}: ${(first?.error?.message ?? 'no reason given').replace(/\s+/g, ' ')}`,
    );
  }
  return { rules: rules.length, imported: parsed.data.success_count };
}
