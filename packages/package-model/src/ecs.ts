import { EcsFlat, EcsVersion } from '@elastic/ecs';
import { z } from 'zod';

/** THE single ECS pin: the version `@elastic/ecs` was generated from. */
export const ECS_VERSION: string = EcsVersion;

const ecsFieldSchema = z.looseObject({
  name: z.string(),
  flat_name: z.string(),
  type: z.string(),
  description: z.string().optional(),
  short: z.string().optional(),
  level: z.string().optional(),
  normalize: z.array(z.string()).optional(),
  pattern: z.string().optional(),
  index: z.boolean().optional(),
  doc_values: z.boolean().optional(),
  object_type: z.string().optional(),
  ignore_above: z.number().optional(),
  example: z.unknown().optional(),
  multi_fields: z
    .array(z.looseObject({ name: z.string(), type: z.string(), flat_name: z.string().optional() }))
    .optional(),
  allowed_values: z.array(z.looseObject({ name: z.string() })).optional(),
  expected_values: z.array(z.string()).optional(),
});

export type EcsField = z.infer<typeof ecsFieldSchema>;

const flat: Readonly<Record<string, unknown>> = EcsFlat;
const cache = new Map<string, EcsField | null>();

/** The ECS definition of a dotted field name, or undefined when ECS (at the pinned version) has none. */
export function ecsField(name: string): EcsField | undefined {
  let hit = cache.get(name);
  if (hit === undefined) {
    const raw = Object.prototype.hasOwnProperty.call(flat, name) ? flat[name] : undefined;
    const parsed = raw === undefined ? null : ecsFieldSchema.safeParse(raw);
    hit = parsed?.success ? parsed.data : null;
    cache.set(name, hit);
  }
  return hit ?? undefined;
}
