import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { query, useGet } from '../api.ts';
import { Field, Problem, Time } from '../ui.tsx';

interface JourneyEvent {
  eventId: string;
  type: string;
  topic: string;
  key: string;
  source: string;
  createdAt: string;
  publishedAt: string | null;
  traceId: string | null;
  causationId: string | null;
  correlationId: string | null;
  handledBy: Array<{ consumer: string; handledAt: string }>;
  caused: Array<{ eventId: string; type: string; topic: string; createdAt: string }>;
  deadLetters: Array<{ id: number; consumer: string; error: string; createdAt: string; redrivenAt: string | null; skippedAt: string | null }>;
  parked: Array<{ consumer: string; parkedAt: string }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const journeyHref = (eventId: string) => `/console/journey${query({ eventId })}`;

/** What became of an event (or every event of a key): published, handled, dead-lettered, what it caused. */
export function Journey() {
  const { query: params, route } = useLocation();
  const eventId = params['eventId'];
  const key = params['key'];
  const [search, setSearch] = useState(eventId ?? key ?? '');
  useEffect(() => setSearch(eventId ?? key ?? ''), [eventId, key]);
  const path = eventId !== undefined ? `/admin/journey${query({ eventId })}` : key !== undefined ? `/admin/journey${query({ key })}` : undefined;
  const journey = useGet<{ events: JourneyEvent[] }>(path);
  const submit = (event: Event) => {
    event.preventDefault();
    const value = search.trim();
    if (value === '') return;
    route(`/console/journey${query(UUID.test(value) ? { eventId: value } : { key: value })}`);
  };
  return (
    <section aria-labelledby="journey-title">
      <h1 id="journey-title">Journey</h1>
      <form class="actions" role="search" onSubmit={submit}>
        <Field label="Event id or key" hint="An event id (UUID) shows that event; anything else is taken as a key">
          <input type="search" name="journey" value={search} onInput={(event) => setSearch((event.target as HTMLInputElement).value)} />
        </Field>
        <button type="submit">Search</button>
      </form>
      {path !== undefined && <Problem error={journey.error} />}
      {path !== undefined && journey.data?.events.map((event) => <EventTimeline key={event.eventId} event={event} />)}
    </section>
  );
}

interface Step {
  at: string;
  what: ComponentChildren;
  kind: 'created' | 'published' | 'handled' | 'dead-letter' | 'parked' | 'caused';
}

function EventTimeline({ event }: { event: JourneyEvent }) {
  const steps: Step[] = [
    { at: event.createdAt, kind: 'created' as const, what: <>committed to the outbox by {event.source}</> },
    ...(event.publishedAt === null ? [] : [{ at: event.publishedAt, kind: 'published' as const, what: <>published on {event.topic}</> }]),
    ...event.handledBy.map((handled) => ({ at: handled.handledAt, kind: 'handled' as const, what: <>handled by <strong>{handled.consumer}</strong></> })),
    ...event.deadLetters.map((letter) => ({
      at: letter.createdAt, kind: 'dead-letter' as const,
      what: <>dead-lettered by <strong>{letter.consumer}</strong> (<a href={`/console/dead-letters/${letter.id}`}>#{letter.id}</a>): <span class="error-text">{letter.error}</span>
        {letter.redrivenAt !== null && <> — redriven <Time at={letter.redrivenAt} /></>}
        {letter.skippedAt !== null && <> — skipped <Time at={letter.skippedAt} /></>}</>,
    })),
    ...event.parked.map((parked) => ({ at: parked.parkedAt, kind: 'parked' as const, what: <>parked behind a dead letter for <strong>{parked.consumer}</strong></> })),
    ...event.caused.map((caused) => ({
      at: caused.createdAt, kind: 'caused' as const,
      what: <>caused <a href={journeyHref(caused.eventId)} aria-label={`Journey of ${caused.type} ${caused.eventId}`}>{caused.type}</a> on {caused.topic}</>,
    })),
  ].sort((a, b) => Date.parse(a.at) - Date.parse(b.at));
  return (
    <article class="panel journey-event" data-testid="journey-event" aria-labelledby={`event-${event.eventId}`}>
      <h2 id={`event-${event.eventId}`}>{event.type} <span class="muted mono">{event.eventId}</span></h2>
      <dl class="facts">
        <div><dt>Topic</dt><dd>{event.topic}</dd></div>
        <div><dt>Key</dt><dd class="mono"><a href={`/console/journey${query({ key: event.key })}`}>{event.key}</a></dd></div>
        {event.causationId !== null && <div><dt>Caused by</dt><dd><a href={journeyHref(event.causationId)}>{event.causationId}</a></dd></div>}
        {event.correlationId !== null && <div><dt>Correlation</dt><dd class="mono">{event.correlationId}</dd></div>}
        {event.traceId !== null && <div><dt>Trace</dt><dd class="mono">{event.traceId}</dd></div>}
      </dl>
      <ol class="timeline">
        {steps.map((step, n) => (
          <li key={n} class={`step ${step.kind}`} data-testid={`step-${step.kind}`}><Time at={step.at} /> {step.what}</li>
        ))}
      </ol>
    </article>
  );
}
