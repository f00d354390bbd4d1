/**
 * What the integration layer's safety costs per publish: HMAC signing + validation of a message (what the
 * transport does on each side of the wire) and class-validator checks of a catalogue payload, each against
 * publishing the same message without it.
 */
import { HealthMessages } from '../../libs/pubsub/src/messages/health.messages.js';
import { CATALOGUE_HOOKS } from '../../libs/pubsub/src/messages/catalogue.js';
import { PubSubSecurity } from '../../libs/pubsub/src/security/pubsub-security.js';
import type { PubSubMessage } from '../../libs/pubsub/src/channels/channel.types.js';
import { check, formatOps, median, now, yieldToLoop } from '../lib/measure.js';
import { newChannelSet } from '../lib/ours.js';
import type { Suite } from '../lib/types.js';

const OPS = 50_000;
const RUNS = 5;

async function opsPerSecond(body: (i: number) => void): Promise<number> {
  const results: number[] = [];
  for (let run = 0; run < RUNS + 1; run++) {
    const started = now();
    for (let i = 0; i < OPS; i++) body(run * OPS + i);
    const elapsed = now() - started;
    if (run > 0) results.push((OPS / elapsed) * 1000);
    await yieldToLoop();
  }
  return median(results);
}

async function publishRate(withCatalogue: boolean): Promise<number> {
  const set = newChannelSet(withCatalogue ? { wiring: CATALOGUE_HOOKS } : {});
  const health = set.channel('health');
  let delivered = 0;
  health.subscribe('cluster:health', () => void delivered++, { mailboxSize: OPS * (RUNS + 1) });
  const message = HealthMessages.nodeHealth({ node: 'bench', status: 'healthy', checks: { eventLoopDelayP99Ms: 1.2 } });
  const rate = await opsPerSecond(() => {
    const result = health.publish('cluster:health', message);
    if (!result.ok) throw new Error(`refused: ${result.reason} ${result.error ?? ''}`);
  });
  check(await set.drain(30_000), 'publish suite did not drain');
  check(delivered === OPS * (RUNS + 1), `delivered ${delivered}`);
  return rate;
}

function healthMessage(i: number): PubSubMessage {
  return {
    id: `bench-${i}`,
    channel: 'health',
    topic: 'subscription_health:production_store:user_projection',
    type: 'registration_success',
    payload: {
      storeId: 'production_store',
      subscriptionName: 'user_projection',
      eventType: 'registration_success',
      metadata: { proxyPid: '<0.123.0>' },
    },
    timestamp: Date.now(),
    node: 'bench@host',
  };
}

const suite: Suite = {
  name: 'security and catalogue cost',
  async run() {
    const security = new PubSubSecurity({
      secretKeyBase: ['current-key-0123456789abcdef', 'previous-key'],
      maxRememberedIds: OPS * (RUNS + 1),
    });
    let accepted = 0;
    const signValidate = await opsPerSecond((i) => {
      const wire = JSON.parse(JSON.stringify(security.sign(healthMessage(i))));
      if (security.validateSecureMessage(wire).ok) accepted++;
    });
    check(accepted === OPS * (RUNS + 1), `only ${accepted} signed messages validated`);
    const jsonOnly = await opsPerSecond((i) => JSON.parse(JSON.stringify(healthMessage(i))));
    const plain = await publishRate(false);
    const validated = await publishRate(true);
    const perPublishUs = (rate: number): string => ((1 / rate) * 1e6).toFixed(2);
    return {
      rows: [],
      lines: [
        `- Sign + JSON round trip + validate (HMAC-SHA256, 2 keys): ${formatOps(signValidate)} messages/s (${perPublishUs(signValidate)} µs each; the JSON round trip alone: ${perPublishUs(jsonOnly)} µs)`,
        `- Publishing a catalogue message (node_health_updated) with class-validator checks: ${formatOps(validated)}/s vs ${formatOps(plain)}/s without (${perPublishUs(validated)} vs ${perPublishUs(plain)} µs per publish)`,
      ],
    };
  },
};

export default suite;
