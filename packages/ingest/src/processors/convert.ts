import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import { isIpLiteral } from '../ip';
import { parseJavaDouble, parseJavaIntegral, toDouble, toFloat, toLong } from '../javanum';
import { javaToString } from '../values';
import { constField } from './util';

const TYPES = ['integer', 'long', 'float', 'double', 'string', 'boolean', 'ip', 'auto'] as const;
type ConvertType = (typeof TYPES)[number];

function convertValue(value: unknown, type: ConvertType): unknown {
  const s = javaToString(value);
  switch (type) {
    case 'integer': {
      const v = parseJavaIntegral(s, false, true);
      if (v === undefined) throw illegalArgument(`unable to convert [${s}] to integer`);
      return v;
    }
    case 'long': {
      const v = parseJavaIntegral(s, true, true);
      if (v === undefined) throw illegalArgument(`unable to convert [${s}] to long`);
      return toLong(v);
    }
    case 'double': {
      const v = parseJavaDouble(s);
      if (v === undefined) throw illegalArgument(`unable to convert [${s}] to double`);
      return toDouble(v);
    }
    case 'float': {
      const v = parseJavaDouble(s);
      if (v === undefined) throw illegalArgument(`unable to convert [${s}] to float`);
      return toFloat(v);
    }
    case 'boolean':
      if (s.toLowerCase() === 'true') return true;
      if (s.toLowerCase() === 'false') return false;
      throw illegalArgument(`[${s}] is not a boolean value, cannot convert to boolean`);
    case 'string':
      return s;
    case 'ip':
      if (typeof value === 'string' && isIpLiteral(value)) return value;
      throw illegalArgument(`'${s}' is not an IP string literal.`);
    case 'auto': {
      if (typeof value !== 'string') return value;
      const lower = value.toLowerCase();
      if (lower === 'true') return true;
      if (lower === 'false') return false;
      const i = parseJavaIntegral(value, false, true);
      if (i !== undefined) return i;
      const l = parseJavaIntegral(value, true, true);
      if (l !== undefined) return toLong(l);
      const f = parseJavaDouble(value);
      if (f !== undefined) return toFloat(f);
      return value;
    }
  }
}

const convert: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const typeName = cfg.string('type');
  if (!(TYPES as readonly string[]).includes(typeName)) {
    throw cfg.error('type', `[type] type [${typeName}] not supported, cannot convert field.`);
  }
  const type = typeName as ConvertType;
  const target = constField(cfg, 'target_field', field.path);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  return {
    execute(doc) {
      const old = doc.get(field, ignoreMissing);
      if (old === undefined || old === null) {
        if (ignoreMissing) return;
        throw illegalArgument(`Field [${field.path}] is null, cannot be converted to type [${type}]`);
      }
      doc.set(target, Array.isArray(old) ? old.map((x) => convertValue(x, type)) : convertValue(old, type));
    },
  };
};

export const convertProcessors: Record<string, ProcessorFactory> = { convert };
