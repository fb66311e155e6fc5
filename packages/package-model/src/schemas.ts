import { z } from 'zod';

/**
 * The parts of the manifests the model needs. Objects are loose: the full shape is package-spec's
 * business (checked by package-tools `check`), the model only insists on what it reads.
 */
export const varSchema = z.looseObject({
  name: z.string(),
  type: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  multi: z.boolean().optional(),
  required: z.boolean().optional(),
  show_user: z.boolean().optional(),
  secret: z.boolean().optional(),
  default: z.unknown().optional(),
});
export type PackageVar = z.infer<typeof varSchema>;

export const streamSchema = z.looseObject({
  input: z.string(),
  title: z.string().optional(),
  description: z.string().optional(),
  template_path: z.string().optional(),
  vars: z.array(varSchema).optional(),
  enabled: z.boolean().optional(),
});
export type DataStreamStream = z.infer<typeof streamSchema>;

export const packageManifestSchema = z.looseObject({
  name: z.string().min(1),
  title: z.string().min(1),
  version: z.string().min(1),
  format_version: z.string().min(1),
  description: z.string().optional(),
  type: z.string().optional(),
  categories: z.array(z.string()).optional(),
  conditions: z
    .looseObject({
      kibana: z.looseObject({ version: z.string().optional() }).optional(),
      elastic: z.looseObject({ subscription: z.string().optional() }).optional(),
    })
    .optional(),
  owner: z.looseObject({ github: z.string().optional(), type: z.string().optional() }).optional(),
  policy_templates: z
    .array(
      z.looseObject({
        name: z.string(),
        title: z.string().optional(),
        data_streams: z.array(z.string()).optional(),
        inputs: z
          .array(
            z.looseObject({
              type: z.string(),
              title: z.string().optional(),
              vars: z.array(varSchema).optional(),
            }),
          )
          .optional(),
      }),
    )
    .optional(),
  vars: z.array(varSchema).optional(),
});
export type PackageManifest = z.infer<typeof packageManifestSchema>;

export const dataStreamManifestSchema = z.looseObject({
  title: z.string().min(1),
  type: z.enum(['logs', 'metrics', 'traces', 'synthetics', 'profiling']).optional(),
  dataset: z.string().optional(),
  ilm_policy: z.string().optional(),
  ingest_pipeline: z.string().optional(),
  streams: z.array(streamSchema).optional(),
  elasticsearch: z.record(z.string(), z.unknown()).optional(),
});
export type DataStreamManifest = z.infer<typeof dataStreamManifestSchema>;

export const changelogSchema = z.array(
  z.looseObject({
    version: z.string(),
    changes: z.array(z.looseObject({ description: z.string(), type: z.string(), link: z.string() })),
  }),
);
export type Changelog = z.infer<typeof changelogSchema>;

/** One entry of a `fields/*.yml` file, before flattening (recursive through `fields`). */
export interface RawField {
  name: string;
  type?: string | undefined;
  fields?: RawField[] | undefined;
  [key: string]: unknown;
}
export const rawFieldSchema: z.ZodType<RawField> = z.lazy(() =>
  z.looseObject({
    name: z.string().min(1),
    type: z.string().optional(),
    fields: z.array(rawFieldSchema).optional(),
  }),
);
export const fieldsFileSchema = z.array(rawFieldSchema);

/** First zod issue as `path: message` (paths like `policy_templates.0.inputs`). */
export function firstIssue(error: z.ZodError): { path: string; message: string } {
  const issue = error.issues[0];
  if (!issue) return { path: '', message: 'invalid' };
  return { path: issue.path.map(String).join('.'), message: issue.message };
}
