import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { PubSubManager } from '@gater/pubsub';
import { AppModule } from '../../src/app.module.js';
import { HealthDashboardConsumer } from '../../src/consumers/health-dashboard.consumer.js';
import { IncidentResponseConsumer } from '../../src/consumers/incident-response.consumer.js';
import { PerformanceMonitoringConsumer } from '../../src/consumers/performance-monitoring.consumer.js';
import { SecurityOperationsConsumer } from '../../src/consumers/security-operations.consumer.js';
import { EventStoreSimulator } from '../../src/simulator/event-store-simulator.service.js';
import { tick } from '../support/pubsub-app.js';

const CONSUMERS = [HealthDashboardConsumer, SecurityOperationsConsumer, PerformanceMonitoringConsumer, IncidentResponseConsumer];

describe('demo application', () => {
  it('boots, feeds the four consumer patterns and stops its timers on close', async () => {
    const app = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app.useLogger(false); // the consumers log every message
    await app.init();
    try {
      const consumers = CONSUMERS.map((type) => app.get(type));
      const deadline = Date.now() + 5_000;
      while (consumers.some((consumer) => consumer.received === 0) && Date.now() < deadline) await tick(10);
      expect(consumers.map((consumer) => [consumer.constructor.name, consumer.received > 0])).toEqual(
        CONSUMERS.map((type) => [type.name, true]),
      );

      const stats = app.get(PubSubManager).stats();
      expect(stats.filter((s) => s.published === 0)).toEqual([]); // round 0 publishes on all ten channels
      expect(stats.map((s) => [s.channel, s.failedPublications, s.handlerErrors])).toEqual(stats.map((s) => [s.channel, 0, 0]));
    } finally {
      await app.close();
    }

    const simulator = app.get(EventStoreSimulator);
    const rounds = simulator.rounds;
    await tick(1_200);
    expect(simulator.rounds).toBe(rounds);
  });
});
