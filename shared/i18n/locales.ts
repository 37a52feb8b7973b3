/**
 * The languages Parley speaks: the catalogues it has, plus `en-XA`, a pseudo-locale for testing —
 * every word of the catalogue accented and about 30 % longer, in brackets. A string on screen that
 * is still plain English did not come from the catalogue; a layout that breaks does not survive
 * longer words.
 */
export const LOCALES = ['en', 'en-XA'] as const;
export type Locale = (typeof LOCALES)[number];

export const DEFAULT_LOCALE: Locale = 'en';

/** Each language by its own name (shown in Settings ▸ Language as it is, in every language). */
export const LOCALE_NAMES: Readonly<Record<Locale, string>> = {
  en: 'English',
  'en-XA': 'Pseudo-locale (for testing: [Ëñĝļîšĥ~~])',
};

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}
