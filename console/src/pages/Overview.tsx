import { useGet } from '../api.ts';
import { RateChart, type Point } from '../charts.tsx';
import { Problem, Table } from '../ui.tsx';

interface Flow {
  at: string;
  transport: 'kafka' | 'local';
  relay: { publishedPerSecond: number };
  outbox: {
    backlog: number;
    oldestUnpublishedAgeSeconds: number | null;
    byTopic: Array<{ topic: string; unpublished: number; oldestUnpublishedAgeSeconds: number | null }>;
  };
  consumers: Array<{
    consumer: string;
    handledPerSecond: number;
    lag: number | null;
    partitions: Array<{ topic: string; partition: number; committed: string | null; highWatermark: string; lag: number }>;
    retrying: number;
    deadLetters: number;
    parkedKeys: number;
    parkedMessages: number;
  }>;
}

interface History {
  bucketSeconds: number;
  series: Array<{ name: string; points: Point[] }>;
}

const POLL_MS = 2000;
/** The history's points are 5-second buckets: reading it more often shows nothing new. */
const HISTORY_POLL_MS = 5000;

const age = (seconds: number | null) => (seconds === null ? '—' : seconds < 120 ? `${seconds.toFixed(1)} s` : `${Math.round(seconds / 60)} min`);
const rate = (perSecond: number) => perSecond.toFixed(1);

export function Overview() {
  const flow = useGet<Flow>('/admin/flow', POLL_MS);
  const history = useGet<History>('/admin/flow/history?minutes=5', HISTORY_POLL_MS);
  const data = flow.data;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <Problem error={flow.error} />
      {data !== undefined && (
        <>
          <dl class="figures">
            <div><dt>Outbox backlog</dt><dd data-testid="backlog" aria-label="Outbox backlog">{data.outbox.backlog}</dd></div>
            <div><dt>Oldest unpublished</dt><dd data-testid="oldest-age">{age(data.outbox.oldestUnpublishedAgeSeconds)}</dd></div>
            <div><dt>Relay published</dt><dd data-testid="relay-rate">{rate(data.relay.publishedPerSecond)}/s</dd></div>
            <div><dt>Transport</dt><dd data-testid="transport">{data.transport}</dd></div>
            <div><dt>As of</dt><dd><time dateTime={data.at}>{new Date(data.at).toLocaleTimeString(undefined, { hour12: false })}</time></dd></div>
          </dl>

          <h2>Consumer groups</h2>
          <Table caption="Consumer groups" testId="consumers">
            <thead>
              <tr><th scope="col">Group</th><th scope="col">Handled/s</th><th scope="col">Lag</th><th scope="col">Retrying</th>
                <th scope="col">Dead letters</th><th scope="col">Parked keys</th><th scope="col">Parked messages</th></tr>
            </thead>
            <tbody>
              {data.consumers.map((group) => (
                <tr key={group.consumer} data-testid={`consumer-${group.consumer}`}>
                  <th scope="row">{group.consumer}</th>
                  <td>{rate(group.handledPerSecond)}</td>
                  <td>{group.lag ?? '—'}</td>
                  <td>{group.retrying}</td>
                  <td>{group.deadLetters > 0 ? <a href={`/console/dead-letters?consumer=${encodeURIComponent(group.consumer)}`}>{group.deadLetters}</a> : 0}</td>
                  <td>{group.parkedKeys > 0 ? <a href={`/console/parked-keys?consumer=${encodeURIComponent(group.consumer)}`}>{group.parkedKeys}</a> : 0}</td>
                  <td>{group.parkedMessages}</td>
                </tr>
              ))}
            </tbody>
          </Table>

          <h2>Outbox by topic</h2>
          {data.outbox.byTopic.length === 0 ? <p class="muted" data-testid="outbox-empty">Nothing waiting to be published.</p> : (
            <Table caption="Unpublished events by topic" testId="outbox-by-topic">
              <thead><tr><th scope="col">Topic</th><th scope="col">Unpublished</th><th scope="col">Oldest</th></tr></thead>
              <tbody>
                {data.outbox.byTopic.map((topic) => (
                  <tr key={topic.topic}><th scope="row">{topic.topic}</th><td>{topic.unpublished}</td><td>{age(topic.oldestUnpublishedAgeSeconds)}</td></tr>
                ))}
              </tbody>
            </Table>
          )}

          {data.consumers.some((group) => group.partitions.length > 0) && (
            <>
              <h2>Partitions</h2>
              <Table caption="Committed offsets and lag per partition" testId="partitions">
                <thead><tr><th scope="col">Group</th><th scope="col">Topic</th><th scope="col">Partition</th><th scope="col">Committed</th><th scope="col">High watermark</th><th scope="col">Lag</th></tr></thead>
                <tbody>
                  {data.consumers.flatMap((group) => group.partitions.map((partition) => (
                    <tr key={`${group.consumer}/${partition.topic}/${partition.partition}`}>
                      <td>{group.consumer}</td><td>{partition.topic}</td><td>{partition.partition}</td>
                      <td>{partition.committed ?? '—'}</td><td>{partition.highWatermark}</td><td>{partition.lag}</td>
                    </tr>
                  )))}
                </tbody>
              </Table>
            </>
          )}
        </>
      )}

      <h2>Last 5 minutes</h2>
      <Problem error={history.error} testId="history-problem" />
      <div class="charts">
        {history.data?.series.map((series) => <RateChart key={series.name} name={series.name} points={series.points} />)}
      </div>
    </section>
  );
}
