// dom.ts — the few DOM helpers the submission page's modules share.
//
// Guarantees: `$` returns the element with that id or throws (a missing element is a bug, never a
// silent no-op); `download` saves text as a file through a same-origin blob URL (no network
// request, nothing left in the page afterwards); nothing here writes markup (textContent only).

export function $<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
}

export function download(name: string, text: string, type = 'application/json'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.hidden = true;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Lets the browser paint a message before a long synchronous step (Argon2id). */
export const nextFrame = (): Promise<void> => new Promise((r) => setTimeout(r, 30));
