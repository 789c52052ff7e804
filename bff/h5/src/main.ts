/** Entry of the H5 bundle (esbuild, at BFF start-up): picks the language, then the page's script. */
import { startCheckout } from './checkout';
import { applyTexts } from './dom';
import { translator } from './i18n';
import { pickLocale } from './state';
import { startReturn } from './return-page';

function main(): void {
  const locale = pickLocale(navigator.languages?.length ? navigator.languages : [navigator.language]);
  document.documentElement.lang = locale;
  const t = translator(locale);
  applyTexts(t);
  if (document.body.dataset.page === 'checkout') startCheckout(t);
  else if (document.body.dataset.page === 'return') startReturn(t);
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', main);
else main();
