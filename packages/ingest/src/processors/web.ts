import type { ProcessorFactory } from '../engine';
import { illegalArgument } from '../errors';
import type { JsonMap } from '../values';
import { constField, inputString } from './util';

// ---------------------------------------------------------------------------------------------
// uri_parts (java.net.URI-like parsing; WHATWG URL normalises and is not equivalent)

const URI_RE =
  /^([a-zA-Z][a-zA-Z0-9+.-]*):(?:\/\/(?:([^@/?#]*)@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?)?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw illegalArgument(`unable to parse URI [${s}]`);
  }
}

export function uriParts(value: string): JsonMap {
  const m = URI_RE.exec(value);
  if (m === null || /\s/.test(value)) throw illegalArgument(`unable to parse URI [${value}]`);
  const [, scheme, userInfo, host, port, path = '', query, fragment] = m;
  const out: JsonMap = {};
  out['scheme'] = scheme;
  out['domain'] = host === undefined || host === '' ? null : host.replace(/^\[|\]$/g, '');
  if (port !== undefined && port !== '') out['port'] = Number(port);
  if (path !== '') {
    out['path'] = decode(path);
    const last = path.slice(path.lastIndexOf('/') + 1);
    const dot = last.lastIndexOf('.');
    if (dot >= 0 && dot < last.length - 1) out['extension'] = decode(last.slice(dot + 1));
  }
  if (query !== undefined) out['query'] = decode(query);
  if (fragment !== undefined) out['fragment'] = decode(fragment);
  if (userInfo !== undefined) {
    const info = decode(userInfo);
    out['user_info'] = info;
    const colon = info.indexOf(':');
    if (colon >= 0) {
      out['username'] = info.slice(0, colon);
      out['password'] = info.slice(colon + 1);
    } else out['username'] = info;
  }
  return out;
}

const uriPartsProcessor: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const target = constField(cfg, 'target_field', 'url');
  const keepOriginal = cfg.bool('keep_original', true);
  const removeIfSuccessful = cfg.bool('remove_if_successful', false);
  const ignoreMissing = cfg.bool('ignore_missing', false);
  return {
    execute(doc) {
      const value = inputString(doc, field, ignoreMissing, 'cannot parse URI.');
      if (value === undefined) return;
      const parts = uriParts(value);
      if (keepOriginal) parts['original'] = value;
      if (removeIfSuccessful && field.path !== target.path) doc.remove(field);
      doc.set(target, parts);
    },
  };
};

// ---------------------------------------------------------------------------------------------
// registered_domain (a small public-suffix snapshot: generic TLDs and common country suffixes)

const SUFFIXES: ReadonlySet<string> = new Set(
  (
    'com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat ' +
    'io co ai app dev cloud online site tech store xyz me tv cc ws eu us uk ca de fr nl es it be at ch se no dk fi ' +
    'pl cz sk hu ro bg gr pt ie is lu li ee lv lt si hr rs ba mk al ua by ru kz tr il ae sa qa kw om eg ma tn za ng ke ' +
    'in pk bd lk np cn hk tw jp kr sg my th vn ph id au nz mx br ar cl pe ve uy py bo ec cr pa do cu gt hn sv ni ' +
    'co.uk org.uk ac.uk gov.uk me.uk ltd.uk plc.uk net.uk sch.uk nhs.uk ' +
    'com.au net.au org.au edu.au gov.au asn.au id.au co.nz org.nz net.nz govt.nz ac.nz ' +
    'co.jp ne.jp or.jp ac.jp go.jp com.cn net.cn org.cn gov.cn edu.cn com.hk org.hk com.tw org.tw ' +
    'co.kr or.kr com.sg org.sg com.my com.ph com.vn co.th co.id co.in net.in org.in gov.in ac.in ' +
    'com.br net.br org.br gov.br com.mx org.mx gob.mx com.ar com.co com.pe co.za org.za gov.za ' +
    'com.tr org.tr gov.tr co.il org.il ac.il com.sa com.eg com.pk com.ua co.ua com.ru org.ru'
  ).split(/\s+/),
);

interface DomainInfo {
  readonly domain: string;
  readonly registeredDomain?: string;
  readonly topLevelDomain: string;
  readonly subdomain?: string;
}

export function registeredDomain(fqdn: string): DomainInfo | undefined {
  const host = fqdn.toLowerCase().replace(/\.$/, '');
  if (host === '' || host.includes(':') || /^[\d.]+$/.test(host)) return undefined;
  const labels = host.split('.');
  if (labels.some((l) => l === '' || !/^[a-z0-9_-]+$/.test(l))) return undefined;
  for (let i = 0; i < labels.length; i += 1) {
    const suffix = labels.slice(i).join('.');
    if (!SUFFIXES.has(suffix)) continue;
    if (i === 0) return { domain: fqdn, topLevelDomain: suffix };
    const registered = labels.slice(i - 1).join('.');
    const sub = labels.slice(0, i - 1).join('.');
    return {
      domain: fqdn,
      registeredDomain: registered,
      topLevelDomain: suffix,
      ...(sub !== '' ? { subdomain: sub } : {}),
    };
  }
  return undefined;
}

const registeredDomainProcessor: ProcessorFactory = (cfg) => {
  const field = constField(cfg, 'field');
  const target = cfg.string('target_field', '');
  const ignoreMissing = cfg.bool('ignore_missing', true);
  const prefix = target === '' ? '' : `${target}.`;
  return {
    execute(doc) {
      const fqdn = inputString(doc, field, ignoreMissing, 'cannot extract a registered domain.');
      if (fqdn === undefined) return;
      const info = registeredDomain(fqdn);
      if (info === undefined) return;
      doc.set(`${prefix}domain`, info.domain);
      if (info.registeredDomain !== undefined) doc.set(`${prefix}registered_domain`, info.registeredDomain);
      doc.set(`${prefix}top_level_domain`, info.topLevelDomain);
      if (info.subdomain !== undefined) doc.set(`${prefix}subdomain`, info.subdomain);
    },
  };
};

export const webProcessors: Record<string, ProcessorFactory> = {
  uri_parts: uriPartsProcessor,
  registered_domain: registeredDomainProcessor,
};
