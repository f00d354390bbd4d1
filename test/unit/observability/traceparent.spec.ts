import { formatTraceParent, parseTraceParent } from '../../../libs/pubsub/src/observability/traceparent.js';

describe('W3C traceparent', () => {
  const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const spanId = '00f067aa0ba902b7';

  it('writes version 00 and reads it back', () => {
    const header = formatTraceParent({ traceId, spanId, traceFlags: 1 });
    expect(header).toBe(`00-${traceId}-${spanId}-01`);
    expect(parseTraceParent(header)).toEqual({ traceId, spanId, traceFlags: 1 });
  });

  it('accepts a later version with extra fields, and refuses anything malformed', () => {
    expect(parseTraceParent(`01-${traceId}-${spanId}-00-extra`)).toEqual({ traceId, spanId, traceFlags: 0 });
    for (const bad of [
      undefined,
      '',
      `00-${traceId}-${spanId}-01-extra`,
      `ff-${traceId}-${spanId}-01`,
      `00-${'0'.repeat(32)}-${spanId}-01`,
      `00-${traceId}-${'0'.repeat(16)}-01`,
      `00-${traceId.toUpperCase()}-${spanId}-01`,
      `00-${traceId}-${spanId}`,
      `00-${traceId}-${spanId}-01`.padEnd(600, 'x'),
    ]) {
      expect(parseTraceParent(bad)).toBeUndefined();
    }
  });
});
