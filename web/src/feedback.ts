// feedback.ts — the status and error line of one action, placed next to the control that starts
// it (markup: server/web/submit-page.ts `feedback(id)`).
//
// Guarantees: each area has one polite live region (role="status") for progress and success and
// one assertive region (role="alert") for errors, so screen readers announce every change;
// showing any message replaces whatever the area showed before (a progress line never stays
// beside the outcome, an old success never stays beside a new error); an error is scrolled into
// view if it is off screen, so on a phone something visible changes where the person pressed.
import { $ } from './dom.js';

export type Tone = 'progress' | 'ok';

export class Feedback {
  constructor(readonly id: string) {}

  private get status(): HTMLElement {
    return $(`${this.id}-status`);
  }
  private get alert(): HTMLElement {
    return $(`${this.id}-alert`);
  }

  /** A step under way (replaced by its outcome). */
  progress(text: string): void {
    this.say(text, 'progress');
  }

  /** A success. */
  ok(text: string): void {
    this.say(text, 'ok');
  }

  /** A failure: what failed and why, in words. */
  error(text: string): void {
    const status = this.status;
    status.textContent = '';
    delete status.dataset.tone;
    const alert = this.alert;
    alert.textContent = text;
    if (typeof alert.scrollIntoView === 'function') alert.scrollIntoView({ block: 'nearest' });
  }

  clear(): void {
    this.alert.textContent = '';
    this.status.textContent = '';
    delete this.status.dataset.tone;
  }

  private say(text: string, tone: Tone): void {
    this.alert.textContent = '';
    const status = this.status;
    status.textContent = text;
    status.dataset.tone = tone;
  }
}
