// Type tests of channel.publishAndWait, compiled by `npm run typecheck` (strict): each @ts-expect-error line
// must stay a compile error.
import type { HealthChannel, PublishAndWaitAccepted, PublishAndWaitResult, RefusalReason } from '@gater/pubsub';

declare const health: HealthChannel;

interface StoreHealth {
  storeId: string;
}

async function waits(): Promise<void> {
  // The same forms and payload typing as publish, with timeoutMs beside local and headers.
  await health.publishAndWait('store:a', 'store_checked');
  await health.publishAndWait('store:a', 'store_checked', { storeId: 'a' }, { timeoutMs: 1_000, local: true });
  await health.publishAndWait<StoreHealth>('store:a', { type: 'store_checked', payload: { storeId: 'a' } }, { timeoutMs: 10 });
  // @ts-expect-error storeId must be a string
  await health.publishAndWait<StoreHealth>('store:a', 'store_checked', { storeId: 1 });
  // @ts-expect-error timeoutMs is a number of milliseconds
  await health.publishAndWait('store:a', 'store_checked', {}, { timeoutMs: '1s' });

  // The result narrows on `ok`: the counts when accepted, the reason and error text when refused.
  const result: PublishAndWaitResult = await health.publishAndWait('store:a', 'store_checked', {});
  if (result.ok) {
    const counts: [string, number, number, number] = [result.id, result.delivered, result.failed, result.timedOut];
    void counts;
    // @ts-expect-error an accepted publication has no reason
    const reason: RefusalReason = result.reason;
    void reason;
  } else {
    const reason: RefusalReason = result.reason;
    const error: string = result.error;
    void [reason, error];
    // @ts-expect-error a refusal has no counts
    const delivered: number = result.delivered;
    void delivered;
  }
  // @ts-expect-error an accepted result carries all three counts
  const partial: PublishAndWaitAccepted = { ok: true, id: 'a', delivered: 1, failed: 0 };
  void partial;
}
void waits;
