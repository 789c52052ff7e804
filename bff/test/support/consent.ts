/**
 * The shopper's browser on the sandbox's auto-debit consent page, in plain HTTP: load the page the
 * BFF's `authUrl` names, submit its Agree (or Decline) form, and read where the wallet redirects.
 * Used by the BFF flow tests and by the mini program harness (standing in for the web-view).
 */
export interface ConsentForm {
  action: string;
  fields: Record<string, string>;
}

/** The forms of the consent page, keyed by their `decision` field (`agree`, `decline`). */
export function parseConsentForms(html: string, base: string): Record<string, ConsentForm> {
  const forms: Record<string, ConsentForm> = {};
  for (const match of html.matchAll(/<form method="post" action="([^"]+)">([\s\S]*?)<\/form>/g)) {
    const fields: Record<string, string> = {};
    for (const input of match[2]!.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
      fields[input[1]!] = input[2]!
        .replace(/&quot;/g, '"')
        .replace(/&#39;/g, "'")
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&');
    }
    if (fields.decision) forms[fields.decision] = { action: new URL(match[1]!, base).href, fields };
  }
  return forms;
}

/** Opens the consent page, clicks the decision, and returns the wallet's redirect (the BFF's return URL with its parameters). */
export async function decideOnConsentPage(authUrl: string, decision: 'agree' | 'decline' = 'agree', customerId?: string): Promise<string> {
  // The sandbox page agrees as the wallet's own buyer unless opened for another (`customerId`).
  const page = await fetch(customerId === undefined ? authUrl : `${authUrl}&customerId=${encodeURIComponent(customerId)}`);
  if (page.status !== 200) throw new Error(`consent page: HTTP ${page.status}`);
  const form = parseConsentForms(await page.text(), authUrl)[decision];
  if (!form) throw new Error(`consent page has no ${decision} form`);
  const posted = await fetch(form.action, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form.fields).toString(),
    redirect: 'manual',
  });
  const location = posted.headers.get('location');
  if (posted.status !== 302 || !location) throw new Error(`consent decision: HTTP ${posted.status}, no redirect`);
  return location;
}
