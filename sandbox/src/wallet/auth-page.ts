/**
 * The AlipayHK auto-debit authorisation page, as the sandbox plays it (`GET /sandbox/auth`): a small,
 * self-contained HTML page in English and Traditional Chinese with two real forms, Agree and Decline.
 * Every value that came from a merchant or a URL goes through `escapeHtml`; the page loads nothing
 * from elsewhere (see `pageHeaders`).
 */
import type { AuthRequest } from '../alipayhk/oauth';
import { AGREEMENT_PAY_SCOPE } from '../alipayhk/oauth';

export const DECISION_PATH = '/sandbox/auth/decision';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text → HTML text or attribute value (double- or single-quoted). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => ESCAPES[ch] as string);
}

/** `Content-Security-Policy` etc.: no scripts, no external loads, forms only to us (and the redirect target). */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...formTargets].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': `default-src 'none'; style-src 'unsafe-inline'; form-action ${formAction}; frame-ancestors 'none'; base-uri 'none'`,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  };
}

const STYLE = `
  :root { color-scheme: light; --blue: #1677ff; --text: #1f1f1f; --muted: #595959; }
  * { box-sizing: border-box; }
  body { margin: 0; font: 16px/1.5 -apple-system, "PingFang HK", "Noto Sans TC", "Segoe UI", Roboto, sans-serif; color: var(--text); background: #f5f5f5; }
  main { max-width: 28rem; margin: 0 auto; padding: 1.25rem 1rem 2rem; }
  .badge { display: inline-block; margin: 0 0 .75rem; padding: .125rem .5rem; border-radius: 1rem; background: #fff1b8; font-size: .8125rem; }
  h1 { font-size: 1.375rem; line-height: 1.3; margin: 0 0 1rem; }
  h1 span, .zh { display: block; }
  .card { background: #fff; border-radius: .75rem; padding: 1rem; margin-bottom: 1rem; }
  dl { margin: 0; }
  dt { color: var(--muted); font-size: .875rem; margin-top: .75rem; }
  dt:first-child { margin-top: 0; }
  dd { margin: 0; overflow-wrap: anywhere; }
  .actions { display: flex; flex-direction: column; gap: .75rem; }
  .actions form { margin: 0; }
  button { width: 100%; min-height: 3rem; border-radius: .5rem; font: inherit; font-weight: 600; cursor: pointer; border: 1px solid #d9d9d9; background: #fff; color: var(--text); }
  button.primary { background: var(--blue); border-color: var(--blue); color: #fff; }
  button:focus-visible { outline: 3px solid #003eb3; outline-offset: 2px; }
  .note { color: var(--muted); font-size: .875rem; }
  details { margin-top: 1.5rem; font-size: .875rem; color: var(--muted); }
  code { font-size: .8125rem; }
`;

function layout(titleEn: string, titleZh: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(titleEn)} · ${escapeHtml(titleZh)} — AlipayHK sandbox</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="badge">AlipayHK sandbox <span lang="zh-Hant">沙盒</span></p>
<h1>${escapeHtml(titleEn)} <span lang="zh-Hant">${escapeHtml(titleZh)}</span></h1>
${content}
</main>
</body>
</html>
`;
}

const SCOPE_TEXT: Record<string, { en: string; zh: string }> = {
  [AGREEMENT_PAY_SCOPE]: {
    en: 'Auto-debit: charge your AlipayHK wallet for this merchant without asking you each time',
    zh: '自動扣款：商戶無須每次詢問你，即可從你的 AlipayHK 錢包扣款',
  },
};

function hiddenInput(name: string, value: string): string {
  return `<input type="hidden" name="${escapeHtml(name)}" value="${escapeHtml(value)}">`;
}

function decisionForm(request: AuthRequest, decision: 'agree' | 'decline', customerId: string | undefined): string {
  const button =
    decision === 'agree'
      ? `<button type="submit" class="primary">Agree <span lang="zh-Hant">同意</span></button>`
      : `<button type="submit">Decline <span lang="zh-Hant">拒絕</span></button>`;
  return `<form method="post" action="${DECISION_PATH}">
${hiddenInput('authId', request.authId)}
${hiddenInput('decision', decision)}
${customerId === undefined ? '' : hiddenInput('customerId', customerId)}
${button}
</form>`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** The consent page for one stored `prepareForRedirect` request. */
export function renderAuthPage(request: AuthRequest, options: { customerId?: string | undefined } = {}): string {
  const scopes = request.scopes
    .map((scope) => {
      const text = SCOPE_TEXT[scope];
      return text
        ? `<dd>${escapeHtml(text.en)}<span class="zh" lang="zh-Hant">${escapeHtml(text.zh)}</span> <code>${escapeHtml(scope)}</code></dd>`
        : `<dd><code>${escapeHtml(scope)}</code></dd>`;
    })
    .join('\n');
  const decided =
    request.decision === null
      ? ''
      : `<p class="note" role="status">You already chose ${request.decision.kind === 'agree' ? 'Agree' : 'Decline'}; choosing it again returns you to the merchant.
<span class="zh" lang="zh-Hant">你已選擇「${request.decision.kind === 'agree' ? '同意' : '拒絕'}」；再次選擇會返回商戶。</span></p>`;
  const content = `<div class="card">
<dl>
<dt>Merchant <span lang="zh-Hant">商戶</span></dt>
<dd>${escapeHtml(request.authMerchantId)}</dd>
<dt>Permission requested <span lang="zh-Hant">申請的權限</span></dt>
${scopes}
<dt>Agreement no. <span lang="zh-Hant">協議編號</span></dt>
<dd><code>${escapeHtml(request.merchantAgreementId)}</code></dd>
<dt>Afterwards you return to <span lang="zh-Hant">完成後返回</span></dt>
<dd>${escapeHtml(hostOf(request.merchantRedirectUrl))}</dd>
</dl>
</div>
<p class="note">You can cancel this authorisation at any time. <span class="zh" lang="zh-Hant">你可隨時取消此授權。</span></p>
${decided}
<div class="actions">
${decisionForm(request, 'agree', options.customerId)}
${decisionForm(request, 'decline', options.customerId)}
</div>
<details>
<summary>Details for developers <span lang="zh-Hant">開發者資料</span></summary>
<dl>
<dt>merchantRedirectUrl</dt><dd><code>${escapeHtml(request.merchantRedirectUrl)}</code></dd>
<dt>state</dt><dd><code>${escapeHtml(request.state ?? '(none)')}</code></dd>
<dt>terminalType</dt><dd><code>${escapeHtml(request.terminalType)}</code></dd>
${options.customerId === undefined ? '' : `<dt>customerId</dt><dd><code>${escapeHtml(options.customerId)}</code></dd>`}
</dl>
</details>`;
  return layout('Authorise auto-debit', '授權自動扣款', content);
}

/** A short page for refusals (unknown link, already decided, bad form). */
export function renderAuthMessage(message: { titleEn: string; titleZh: string; textEn: string; textZh: string }): string {
  return layout(
    message.titleEn,
    message.titleZh,
    `<div class="card"><p>${escapeHtml(message.textEn)}</p><p lang="zh-Hant">${escapeHtml(message.textZh)}</p></div>`,
  );
}
