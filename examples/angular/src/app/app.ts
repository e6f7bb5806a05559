import { Component, CUSTOM_ELEMENTS_SCHEMA, signal } from '@angular/core';
import 'biometric-flow';
import type { FinishedDetail, FinishedOutcome, FlowErrorDetail } from 'biometric-flow';

@Component({
  selector: 'app-root',
  schemas: [CUSTOM_ELEMENTS_SCHEMA],
  // flow-base-url: the emulator's default address; remove it to use Biometric.Vision itself.
  template: `
    <main>
      <h1>Verify your identity</h1>
      <p>Sign in first (the example backend's stand-in for your app's sign-in): <a href="/api/login?user=alice">alice</a> · <a href="/api/login?user=bob">bob</a> · <a href="/api/me">what the server recorded</a></p>
      <biometric-flow session-endpoint="/api/biometric/session" status-endpoint="/api/biometric/status"
        flow-base-url="http://127.0.0.1:8790" [context]="context"
        (finished)="onFinished($event)" (flow-error)="onError($event)"></biometric-flow>
      @if (outcome()) {
        <p role="status">Outcome: {{ outcome() }}</p>
      }
    </main>
  `,
})
export class App {
  protected readonly context = { orderId: '42' };
  protected readonly outcome = signal<FinishedOutcome | undefined>(undefined);

  onFinished(event: CustomEvent<FinishedDetail>): void {
    this.outcome.set(event.detail.outcome);
  }

  onError(event: CustomEvent<FlowErrorDetail>): void {
    console.warn(event.detail.code);
  }
}
