// invite-link.ts — the invite an organisation receives as a link, `/enviar#invitacion=<code>`
// (printed by `contamos invite`).
//
// Guarantees: the code is read from the URL's FRAGMENT only, which the browser never sends to
// any server (so it is in no request line, log or Referer); `inviteFromText` also accepts a whole
// pasted link or a code with spaces or line breaks around it; an invite is plausible only when it
// is 20–200 base64url characters (what the server accepts), so a code copied with stray
// characters is caught here with a message about the invite, before anything is sent.

const KEYS = ['invitacion', 'invitación', 'invite'];

/** The invite in a location hash such as "#invitacion=abc", or null. */
export function inviteFromFragment(hash: string): string | null {
  const h = hash.startsWith('#') ? hash.slice(1) : hash;
  for (const part of h.split('&')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    let name = part.slice(0, eq);
    try {
      name = decodeURIComponent(name);
    } catch {
      continue;
    }
    if (!KEYS.includes(name)) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1)).trim();
    } catch {
      return part.slice(eq + 1).trim();
    }
  }
  return null;
}

/** The invite in what a person typed or pasted: a code, or a whole link. */
export function inviteFromText(text: string): string {
  const t = text.trim();
  const hashAt = t.indexOf('#');
  if (hashAt >= 0) {
    const fromLink = inviteFromFragment(t.slice(hashAt));
    if (fromLink !== null) return fromLink.replace(/\s+/g, '');
  }
  return t.replace(/\s+/g, '');
}

export function isPlausibleInvite(code: string): boolean {
  return /^[A-Za-z0-9_-]{20,200}$/.test(code);
}
