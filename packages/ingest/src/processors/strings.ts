import { castError } from '../document';
import type { ProcessorFactory } from '../engine';
import { ProcessingError, illegalArgument } from '../errors';
import { groupCount, javaRegex, javaReplacement, javaSplit } from '../regex';
import { JavaNumber, javaToString } from '../values';
import { constField, inputString, javaTrim, stringProcessor } from './util';

const lowercase: ProcessorFactory = (cfg) => stringProcessor(cfg, (s) => s.toLowerCase());
const uppercase: ProcessorFactory = (cfg) => stringProcessor(cfg, (s) => s.toUpperCase());
const trim: ProcessorFactory = (cfg) => stringProcessor(cfg, javaTrim);

const gsub: ProcessorFactory = (cfg) => {
  const patternText = cfg.string('pattern');
  let re: RegExp;
  let replace: (match: string, ...rest: unknown[]) => string;
  try {
    re = javaRegex(patternText, 'g');
    replace = javaReplacement(cfg.string('replacement'), groupCount(re));
  } catch (e) {
    throw cfg.error(
      'pattern',
      `[pattern] Invalid regex pattern. ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const replacementText = cfg.string('replacement');
  if (!/[$\\]/.test(replacementText)) {
    // no group references or escapes: a plain string replacement is the same and faster
    return stringProcessor(cfg, (s) => s.replace(re, replacementText));
  }
  return stringProcessor(cfg, (s) => s.replace(re, replace));
};

const urldecode: ProcessorFactory = (cfg) =>
  stringProcessor(cfg, (s) => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      throw illegalArgument(`URLDecoder: Illegal hex characters in escape (%) pattern`);
    }
  });

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Lucene HTMLStripCharFilter subset: tags removed, block elements become newlines, entities decoded. */
function htmlStrip(s: string): string {
  return s
    .replace(/<!--[\s\S]*?-->/g, '')
    .replace(/<(script|style)\b[^>]*>[\s\S]*?<\/\1\s*>/gi, '')
    .replace(
      /<\/?(p|div|br|li|ul|ol|dl|dt|dd|h[1-6]|tr|td|th|table|thead|tbody|tfoot|caption|blockquote|pre|address|title|head|body|html|hr|form|fieldset|legend|center|dir|menu|noscript|section|article|aside|header|footer|nav|figure|figcaption|main|details|summary|option|select|textarea|iframe|frameset|frame|object|applet|map|area|isindex|noframes)\b[^>]*>/gi,
      '\n',
    )
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-fA-F]+|#\d+|[a-zA-Z]+);/g, (m, e: string) => {
      if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
      if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
      return ENTITIES[e] ?? m;
    });
}

const htmlStripProcessor: ProcessorFactory = (cfg) => stringProcessor(cfg, htmlStrip);

const split: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const separator = cfg.string('separator');
  const re = javaRegex(separator);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const preserveTrailing = cfg.bool('preserve_trailing', false);
  const target = constField(cfg, 'target_field', field.path);
  return {
    writes: [target],
    execute(doc) {
      const v = inputString(doc, field, ignoreMissing, 'cannot split.');
      if (v === undefined) return;
      doc.set(target, javaSplit(v, re, preserveTrailing));
    },
  };
};

const join: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const separator = cfg.string('separator');
  const target = constField(cfg, 'target_field', field.path);
  return {
    execute(doc) {
      const v = doc.get(field);
      if (v === null || v === undefined) throw illegalArgument(`field [${field.path}] is null, cannot join.`);
      if (!Array.isArray(v)) throw castError(field.path, v, 'java.util.List');
      doc.set(
        target,
        v
          .map((x) => {
            if (x === null)
              throw new ProcessingError(
                'null_pointer_exception',
                'Cannot invoke "Object.toString()" because "obj" is null',
              );
            return javaToString(x);
          })
          .join(separator),
      );
    },
  };
};

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1024,
  mb: 1024 ** 2,
  gb: 1024 ** 3,
  tb: 1024 ** 4,
  pb: 1024 ** 5,
};

const bytes: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const ignoreMissing = cfg.bool('ignore_missing', false);
  const target = constField(cfg, 'target_field', field.path);
  return {
    execute(doc) {
      const v = inputString(doc, field, ignoreMissing);
      if (v === undefined) return;
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
      const unit = (m?.[2] ?? '').toLowerCase();
      const mult = BYTE_UNITS[unit === '' ? 'b' : unit];
      if (m === null || mult === undefined || (unit === '' && v.trim() !== '0' && v.trim() !== '-1')) {
        throw new ProcessingError(
          'parse_exception',
          `failed to parse setting [Ingest Field] with value [${v}] as a size in bytes: unit is missing or unrecognized`,
        );
      }
      const n = Number(m[1]) * mult;
      if (!Number.isInteger(n)) throw illegalArgument(`fractional bytes values are not supported: [${v}]`);
      doc.set(target, Number.isSafeInteger(n) && Math.abs(n) <= 2147483647 ? new JavaNumber('Long', n) : n);
    },
  };
};

export const stringProcessors: Record<string, ProcessorFactory> = {
  lowercase,
  uppercase,
  trim,
  gsub,
  urldecode,
  html_strip: htmlStripProcessor,
  split,
  join,
  bytes,
};
