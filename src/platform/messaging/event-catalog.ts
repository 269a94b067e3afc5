import { contractKey, type EventContract } from './contract.ts';

/** A consumer group of the deployment and the topics it reads. */
export interface ConsumerGroup {
  group: string;
  topics: string[];
}

/**
 * Every module's contracts and consumer groups, whichever modules this process runs: an operator
 * reading a dead letter in the API process needs the contract of an event another process consumes.
 * Built by `loadEventCatalog` (module-loader.ts).
 */
export class EventCatalog {
  private readonly contracts = new Map<string, EventContract>();

  constructor(contracts: EventContract[], readonly groups: ConsumerGroup[]) {
    for (const contract of contracts) this.contracts.set(contractKey(contract.type, contract.version), contract);
  }

  contractOf(type: string, version: number): EventContract | undefined {
    return this.contracts.get(contractKey(type, version));
  }
}
