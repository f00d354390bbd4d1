// Type tests of the module and the testing helpers, compiled by `npm run typecheck` (strict): each line marked
// with the expect-error directive must stay a compile error.
import {
  PubSubModule,
  RecordingTimeoutError,
  recordMessages,
  type HealthChannel,
  type MessageRecorder,
  type PubSubModuleOptions,
  type PubSubTestOptions,
} from '@gater/pubsub';

PubSubModule.forRoot({ eventEmitter: { channels: ['health', 'alerts'] } });
// @ts-expect-error bridged channels are channel names
PubSubModule.forRoot({ eventEmitter: { channels: ['healthy'] } });
// @ts-expect-error the bridge needs its channel list
PubSubModule.forRoot({ eventEmitter: {} });

PubSubModule.forRootAsync({ useFactory: (): PubSubModuleOptions => ({ nodeName: 'a' }), inject: [] });
PubSubModule.forRootAsync({ useFactory: async () => ({ transport: { type: 'memory' as const } }) });

PubSubModule.forTest();
PubSubModule.forTest({ nodeName: 'test', channels: { health: { mailboxSize: 10 } } });
// @ts-expect-error forTest always uses the memory transport
PubSubModule.forTest({ transport: { type: 'redis', url: 'redis://localhost' } });
// @ts-expect-error forTest always turns the integration layer off
PubSubModule.forTest({ integration: true });
const testOptions: PubSubTestOptions = { nodeName: 'x' };
void testOptions;

declare const health: HealthChannel;
const recorder: MessageRecorder<{ storeId: string }> = recordMessages<{ storeId: string }>(health, 'store:*');
void recorder.waitFor(1).then((messages) => messages[0].payload.storeId.toUpperCase());
// @ts-expect-error the recorder's payloads are typed
void recorder.waitFor(1).then((messages) => messages[0].payload.other);
// @ts-expect-error an untyped recorder's payload is unknown
void recordMessages(health, '*').messages[0].payload.storeId;
recordMessages(health, ['a:*', 'b'], { mailboxSize: 10 }).unsubscribe();

function onTimeout(error: unknown): number {
  return error instanceof RecordingTimeoutError ? error.messages.length : 0;
}
void onTimeout;
