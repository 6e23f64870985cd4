// The site's numbers and dates against the widgets' in headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core): a server-rendered card must print what the widget
// prints when it upgrades the card in place, in every language, or the card changes size.
//
// CASES_JSON is written by the site crate's test `format::intl_cases` (`cargo xtask test` runs it
// with CIVICMETRICS_INTL_CASES): per language, what to format and the text the site made with
// ICU4X. Each case is formatted here again as widgets/src/format.rs formats it, with the same
// `Intl` constructors and options, and the two texts must be equal, but for the differences
// between the two CLDR versions listed in CLDR_DIFFERENCES. The run fails on any other
// difference, on a listed difference that no longer occurs, on a missing language or kind of
// case, and on fewer cases than the table holds, so it cannot pass without comparing.
// Usage: node tests/e2e/intl.mjs TOOLS_DIR CASES_JSON

import { mkdtempSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { tmpdir } from 'node:os';

const [tools, casesPath] = process.argv.slice(2).map((p) => resolve(p));
const { chromium } = await import(join(tools, 'node_modules/playwright-core/index.mjs'));

const LANGUAGES = ['en', 'es', 'vi', 'zh-Hant', 'xx', '1'];
const CALLS = ['number', 'value', 'percent_change', 'plural', 'day', 'long_day', 'updated', 'month', 'period'];
// The table in site/src/format/intl_cases.rs holds this many cases per language.
const CASES_PER_LANGUAGE = 116;

// Where ICU4X 2.4's data (CLDR 49) and Chromium's ICU 78 (CLDR 48) disagree: for each, the
// cases it covers and the text Chromium prints instead of the site's. Each is printed on every
// run; one that no longer occurs (a Chromium with CLDR 49) fails the run, so the list stays exact.
const CLDR_DIFFERENCES = [
  {
    what: 'CLDR 49 calls an hour "tiếng" in Vietnamese long units; CLDR 48 "giờ"',
    covers: (c) => c.language === 'vi' && c.call === 'value' && c.unit === 'hours',
    intl: (site) => site.replace('tiếng', 'giờ'),
  },
  {
    what: 'CLDR 49 drops the comma before the year in the Vietnamese long date',
    covers: (c) => c.language === 'vi' && ['long_day', 'updated'].includes(c.call),
    intl: (site) => site.replace(/ (\d{4})$/, ', $1'),
  },
  {
    what: 'CLDR 49 gives Vietnamese a singular ("one", for 0 and 1); CLDR 48 has "other" alone',
    covers: (c) => c.language === 'vi' && c.call === 'plural' && Math.trunc(c.value) <= 1,
    intl: (site) => (site === 'one' ? 'other' : site),
  },
  {
    what: 'CLDR 49 writes the yen as "JP¥" in Spanish; CLDR 48 as "JPY"',
    covers: (c) => c.language === 'es' && c.call === 'value' && c.unit_label === 'JPY',
    intl: (site) => site.replace('JP¥', 'JPY'),
  },
];

const cases = JSON.parse(readFileSync(casesPath, 'utf8'));
const failures = [];
function check(condition, message) {
  if (!condition) failures.push(message);
}
for (const language of LANGUAGES) {
  const own = cases.filter((c) => c.language === language);
  check(own.length === CASES_PER_LANGUAGE, `${language}: ${own.length} cases, expected ${CASES_PER_LANGUAGE}`);
  for (const call of CALLS) {
    check(own.some((c) => c.call === call), `${language}: no ${call} case`);
  }
}
check(cases.length === LANGUAGES.length * CASES_PER_LANGUAGE,
  `${cases.length} cases, expected ${LANGUAGES.length * CASES_PER_LANGUAGE}`);

const context = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), 'civicmetrics-chromium-')), {
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
    '--disable-component-update', '--disable-sync'],
  // The browser's own language, which `Intl` falls back to for a tag it has no data for.
  locale: 'en-US',
});
const page = await context.newPage();
const { browser: icu, widget } = await page.evaluate((cases) => {
  // widgets/src/format.rs, in JavaScript: each constructor falls back to English when the tag is
  // refused, as `Formatter::number_format` and `Formatter::date` do.
  const make = (Constructor, language, options) => {
    try {
      return new Constructor(language, options);
    } catch {
      return new Constructor('en', options);
    }
  };
  const number = (language, options, value) => make(Intl.NumberFormat, language, options).format(value);
  // `Formatter::value`.
  const value = (c) => {
    const digits = c.decimals ?? ({ count: 0, currency: 0, ratio: 2 }[c.unit] ?? 1);
    const fraction = { minimumFractionDigits: 0, maximumFractionDigits: digits };
    const unit = (name) => ({ ...fraction, style: 'unit', unit: name, unitDisplay: 'long' });
    switch (c.unit) {
      case 'percent':
        return number(c.language, { style: 'percent', maximumFractionDigits: digits, minimumFractionDigits: 0 },
          c.value / 100);
      case 'minutes': return number(c.language, unit('minute'), c.value);
      case 'hours': return number(c.language, unit('hour'), c.value);
      case 'days': return number(c.language, unit('day'), c.value);
      case 'currency': {
        const code = /^[A-Z]{3}$/.test(c.unit_label ?? '') ? c.unit_label : 'USD';
        return number(c.language, { ...fraction, style: 'currency', currency: code, notation: 'compact' }, c.value);
      }
      default: return number(c.language, fraction, c.value);
    }
  };
  // `Formatter::date`: midnight UTC of the day, formatted in UTC.
  const date = (language, day, options) => make(Intl.DateTimeFormat, language, { ...options, timeZone: 'UTC' })
    .format(new Date(`${day}T00:00:00Z`));
  const medium = { dateStyle: 'medium' };
  const calls = {
    value,
    // `Formatter::plain`, for counts and trend points.
    number: (c) => number(c.language, { maximumFractionDigits: c.decimals }, c.value),
    // `Formatter::trend`, a change as a percentage.
    percent_change: (c) => number(c.language, { style: 'percent', maximumFractionDigits: 0 }, c.value),
    // `Formatter::plural_category`, as widgets/src/i18n.rs chooses a plural message's variant.
    plural: (c) => make(Intl.PluralRules, c.language, {}).select(c.value),
    day: (c) => date(c.language, c.date, medium),
    long_day: (c) => date(c.language, c.date, { dateStyle: 'long' }),
    // `Formatter::updated`.
    updated: (c) => date(c.language, c.modified.slice(0, 10), { dateStyle: 'long' }),
    // `Formatter::month`.
    month: (c) => date(c.language, c.date, { month: 'short', year: 'numeric' }),
    // `Formatter::period`.
    period: (c) => ({
      daily: () => date(c.language, c.date, medium),
      weekly: () => c.week_of.replace('{0}', date(c.language, c.date, medium)),
      monthly: () => date(c.language, c.date, { month: 'long', year: 'numeric' }),
    })[c.frequency](),
  };
  return {
    browser: `${navigator.userAgent.match(/Chrome\/[\d.]+/)?.[0]} (default language ${
      new Intl.NumberFormat().resolvedOptions().locale})`,
    widget: cases.map((c) => calls[c.call](c)),
  };
}, cases);
await context.close();

const shown = (text) => JSON.stringify(text).replace(/[\u00a0\u202f\u200f\u061c]/g,
  (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
let compared = 0;
const differing = new Map(CLDR_DIFFERENCES.map((d) => [d, 0]));
cases.forEach((c, index) => {
  compared += 1;
  const { language, site, call, ...input } = c;
  const known = CLDR_DIFFERENCES.find((d) => d.covers(c) && d.intl(site) !== site && d.intl(site) === widget[index]);
  if (known) {
    differing.set(known, differing.get(known) + 1);
    return;
  }
  check(site === widget[index], `${language} ${call} ${JSON.stringify(input)}: site ${shown(site)}, Intl ${shown(widget[index])}`);
});
check(compared === LANGUAGES.length * CASES_PER_LANGUAGE, `${compared} cases compared`);
for (const [difference, count] of differing) {
  if (count) console.log(`intl: ${count} case(s) differ as listed: ${difference.what}`);
  check(count > 0, `a listed CLDR difference no longer occurs, remove it: ${difference.what}`);
}

const perLanguage = LANGUAGES.map((l) => `${l} ${cases.filter((c) => c.language === l).length}`).join(', ');
console.log(`intl: ${compared} cases compared with ${icu} (${perLanguage})`);
if (failures.length) {
  console.error(`${failures.length} failure(s):\n- ${failures.join('\n- ')}`);
  process.exit(1);
}
console.log('intl: the site prints every number and date as the widgets do, but for the listed CLDR differences');
