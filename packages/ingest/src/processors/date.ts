import type { ZoneId } from '@js-joda/core';
import { fieldPath } from '../document';
import { compileDatePrinter, compileDateFormat, zoneOf, type DateParser } from '../dates';
import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import { javaToString } from '../values';
import { constField } from './util';

const SUPPORTED_LOCALES = new Set(['en', 'en_US', 'en-US', 'ENGLISH', 'english', 'ROOT', 'root', '']);

const date: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const target = fieldPath(cfg.string('target_field', '@timestamp'));
  const formatsRaw = cfg.stringList('formats') ?? [];
  if (formatsRaw.length === 0) throw cfg.error('formats', '[formats] property is required');
  const timezoneT = cfg.optionalTemplate('timezone');
  const localeT = cfg.optionalTemplate('locale');
  if (localeT?.isConstant === true && !SUPPORTED_LOCALES.has(localeT.source)) {
    throw cfg.error(
      'locale',
      `[locale] locale [${localeT.source}] is not supported by the local executor (English only)`,
    );
  }
  const outputFormat = cfg.string('output_format', "yyyy-MM-dd'T'HH:mm:ss.SSSXXX");
  let parsers: DateParser[];
  let printer: ReturnType<typeof compileDatePrinter>;
  try {
    parsers = formatsRaw.map(compileDateFormat);
    printer = compileDatePrinter(outputFormat);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw cfg.error(
      'formats',
      message,
      /^Unsupported pattern letter/.test(message) ? 'INGEST_UNSUPPORTED_FEATURE' : 'INGEST_INVALID_CONFIG',
    );
  }
  // an invalid constant zone fails every document (as in Elasticsearch), not the pipeline load
  let constZone: ZoneId | undefined;
  try {
    constZone =
      timezoneT === undefined ? zoneOf('UTC') : timezoneT.isConstant ? zoneOf(timezoneT.source) : undefined;
  } catch {
    constZone = undefined;
  }
  return {
    execute(doc) {
      const raw = doc.get(field);
      const value = raw === null || raw === undefined ? 'null' : javaToString(raw);
      for (const parse of parsers) {
        try {
          const zone = constZone ?? zoneOf(timezoneT?.render(doc, true) ?? 'UTC');
          doc.set(target, printer(parse(value, zone)));
          return;
        } catch {
          // try the next format
        }
      }
      throw illegalArgument(`unable to parse date [${value}]`);
    },
  };
};

export const dateProcessors: Record<string, ProcessorFactory> = { date };
