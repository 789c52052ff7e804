/**
 * The small page the shopper sees when the wallet sends them back after the auto-debit consent page
 * (in the mini program's web-view, or a browser): bound, declined, failed, or a refused link. English
 * and Traditional Chinese, no scripts, nothing loaded from elsewhere.
 */
export type AgreementPageKind = 'bound' | 'declined' | 'failed' | 'rejected' | 'unavailable';

interface PageText {
  titleEn: string;
  titleZh: string;
  textEn: string;
  textZh: string;
}

const TEXTS: Record<AgreementPageKind, PageText> = {
  bound: {
    titleEn: 'Auto-debit is set up',
    titleZh: '自動扣款已設定',
    textEn: 'Your AlipayHK wallet is bound. You can close this page and return to the shop.',
    textZh: '你的 AlipayHK 錢包已綁定。你可以關閉此頁並返回商店。',
  },
  declined: {
    titleEn: 'Auto-debit not set up',
    titleZh: '未設定自動扣款',
    textEn: 'You declined the authorisation, so nothing was set up. You can return to the shop.',
    textZh: '你已拒絕授權，因此未有設定任何扣款。你可以返回商店。',
  },
  failed: {
    titleEn: "Couldn't set up auto-debit",
    titleZh: '未能設定自動扣款',
    textEn: 'The authorisation could not be completed. Please start again from the shop.',
    textZh: '未能完成授權，請返回商店重新開始。',
  },
  rejected: {
    titleEn: 'This link is not valid',
    titleZh: '此連結無效',
    textEn: 'This authorisation link is unknown, was already used, or was changed. Please start again from the shop.',
    textZh: '此授權連結不存在、已被使用或已被更改。請返回商店重新開始。',
  },
  unavailable: {
    titleEn: 'Please try again',
    titleZh: '請再試一次',
    textEn: 'AlipayHK did not answer in time. Reload this page to try again.',
    textZh: 'AlipayHK 未有及時回應，請重新載入此頁再試。',
  },
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** No scripts, no external loads, not framable, not cached (it answers a one-time link). */
export const AGREEMENT_PAGE_HEADERS: Record<string, string> = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

export function renderAgreementPage(kind: AgreementPageKind, code: string | null = null): string {
  const text = TEXTS[kind];
  const detail = code ? `<p class="code">${escapeHtml(code)}</p>` : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(text.titleEn)} · ${escapeHtml(text.titleZh)}</title>
<style>
  body { font-family: -apple-system, "PingFang HK", "Noto Sans HK", sans-serif; margin: 0; padding: 2rem 1.25rem; background: #f5f5f5; color: #1f1f1f; }
  main { max-width: 28rem; margin: 0 auto; background: #fff; border-radius: .75rem; padding: 1.5rem; }
  h1 { font-size: 1.25rem; margin: 0 0 .25rem; }
  h2 { font-size: 1.1rem; margin: 0 0 1rem; font-weight: 500; }
  p { line-height: 1.5; margin: .5rem 0; }
  .code { font-family: monospace; color: #8c8c8c; }
</style>
</head>
<body>
<main data-outcome="${kind}">
<h1>${escapeHtml(text.titleEn)}</h1>
<h2 lang="zh-Hant">${escapeHtml(text.titleZh)}</h2>
<p>${escapeHtml(text.textEn)}</p>
<p lang="zh-Hant">${escapeHtml(text.textZh)}</p>
${detail}
</main>
</body>
</html>
`;
}
