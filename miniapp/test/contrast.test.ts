/**
 * Text contrast of the mini program's styles: every rule that sets a text colour reaches at least
 * 4.5:1 (WCAG 2.1 AA, https://www.w3.org/TR/WCAG21/#contrast-minimum) against its own background, or,
 * without one, against both backgrounds a text can sit on (the page's #f5f5f5 and a card's #fff).
 */
import { readFile, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src');
const PAGE_BACKGROUNDS = ['#f5f5f5', '#ffffff'];

function luminance(hex: string): number {
  const full = hex.length === 4 ? `#${[...hex.slice(1)].map((c) => c + c).join('')}` : hex;
  const [r, g, b] = [1, 3, 5]
    .map((i) => parseInt(full.slice(i, i + 2), 16) / 255)
    .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  return 0.2126 * (r as number) + 0.7152 * (g as number) + 0.0722 * (b as number);
}

export function contrast(a: string, b: string): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

async function acssFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map((e) =>
      e.isDirectory() ? acssFiles(path.join(dir, e.name)) : Promise.resolve(e.name.endsWith('.acss') ? [path.join(dir, e.name)] : []),
    ),
  );
  return nested.flat();
}

describe('text contrast', () => {
  it('the formula: black on white is 21:1, #767676 on white just passes', () => {
    expect(contrast('#000', '#fff')).toBeCloseTo(21, 5);
    expect(contrast('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrast('#8c8c8c', '#ffffff')).toBeLessThan(4.5);
  });

  it('every text colour in src/**/*.acss reaches 4.5:1', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const file of await acssFiles(SRC)) {
      const css = (await readFile(file, 'utf8')).replace(/\/\*[\s\S]*?\*\//g, '');
      for (const [, selector, body] of css.matchAll(/([^{}]+)\{([^}]*)\}/g)) {
        const color = /(?:^|[;\s])color:\s*(#[0-9a-fA-F]{3,6})/.exec(body as string)?.[1];
        if (!color) continue;
        const background = /background(?:-color)?:\s*(#[0-9a-fA-F]{3,6})/.exec(body as string)?.[1];
        for (const bg of background ? [background] : PAGE_BACKGROUNDS) {
          checked += 1;
          const ratio = contrast(color, bg);
          if (ratio < 4.5)
            failures.push(`${path.relative(SRC, file)} ${(selector as string).trim()}: ${color} on ${bg} is ${ratio.toFixed(2)}:1`);
        }
      }
    }
    expect(checked).toBeGreaterThan(10);
    expect(failures).toEqual([]);
  });
});
