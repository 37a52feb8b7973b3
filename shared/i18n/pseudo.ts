import { parse, TYPE, type MessageFormatElement } from '@formatjs/icu-messageformat-parser';

/** Each ASCII letter as an accented one that still reads (the usual pseudo-localisation map). */
const ACCENTED: Readonly<Record<string, string>> = Object.fromEntries(
  [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ'].map((letter, i) => [
    letter,
    [...'áƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅßÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ'][i]!,
  ]),
);

function accent(text: string): string {
  return text.replace(/[A-Za-z]/g, (letter) => ACCENTED[letter]!);
}

/** Accents the words of a message, leaving its placeholders, plurals and choices working. */
function transform(elements: MessageFormatElement[]): MessageFormatElement[] {
  return elements.map((element) => {
    switch (element.type) {
      case TYPE.literal:
        return { ...element, value: accent(element.value) };
      case TYPE.select:
      case TYPE.plural:
        return {
          ...element,
          options: Object.fromEntries(
            Object.entries(element.options).map(([key, option]) => [key, { ...option, value: transform(option.value) }]),
          ),
        };
      case TYPE.tag:
        return { ...element, children: transform(element.children) };
      default:
        return element;
    }
  });
}

/** How many letters the words of a message have (what the padding is measured against). */
function letters(elements: MessageFormatElement[]): number {
  let count = 0;
  for (const element of elements) {
    if (element.type === TYPE.literal) count += element.value.length;
    else if (element.type === TYPE.select || element.type === TYPE.plural)
      count += Math.max(...Object.values(element.options).map((option) => letters(option.value)));
  }
  return count;
}

/**
 * The pseudo-locale's version of an ICU message, as a parsed message for IntlMessageFormat: its
 * words accented, then bracketed and padded to about 30 % longer.
 */
export function pseudoMessage(message: string): MessageFormatElement[] {
  const ast = parse(message);
  const padding = '~'.repeat(Math.max(1, Math.ceil(letters(ast) * 0.3)));
  return [{ type: TYPE.literal, value: '[' }, ...transform(ast), { type: TYPE.literal, value: `${padding}]` }];
}
