import { create } from '@bufbuild/protobuf';
import {
  FileSeedersSchema,
  type FileInfo,
  type FileSeeders,
  type NodeId,
  type PoolMessage,
} from '@poolnet/protocol';

interface Offer {
  info: FileInfo;
  seeders: Set<string>;
}

/**
 * The file offers known in a pool and who seeds each: built from offers, retractions and node
 * info messages, merged from a neighbour's latest reply on join (SYNC1).
 */
export class OfferTable {
  private readonly offers = new Map<string, Offer>();

  /** Apply a pool message's effect on offers; other messages are ignored. */
  apply(message: PoolMessage): void {
    const author = message.authorNodeId;
    const c = message.content;
    switch (c.case) {
      case 'fileOffer':
        for (const file of c.value.files) this.addSeeder(file, author);
        break;
      case 'mediaOffer':
        if (c.value.file) this.addSeeder(c.value.file, author);
        break;
      case 'nodeInfo':
        for (const file of c.value.offers) this.addSeeder(file, author);
        break;
      case 'retractOffer':
        this.removeSeeder(c.value.fileId, author);
        break;
      default:
        break;
    }
  }

  /** Merge a neighbour's seeder table. */
  merge(list: readonly FileSeeders[]): void {
    for (const entry of list) {
      if (!entry.file) continue;
      for (const seeder of entry.seederNodeIds) this.addSeeder(entry.file, seeder);
    }
  }

  /** A node left the pool: it seeds nothing any more. */
  forgetNode(node: NodeId): void {
    for (const [fileId] of this.offers) this.removeSeeder(fileId, node);
  }

  seedersOf(fileId: string): readonly string[] {
    return [...(this.offers.get(fileId)?.seeders ?? [])];
  }

  get(fileId: string): FileInfo | undefined {
    return this.offers.get(fileId)?.info;
  }

  get size(): number {
    return this.offers.size;
  }

  /** The table as wire entries, newest offers first, at most `max`. */
  toWire(max: number): FileSeeders[] {
    const out: FileSeeders[] = [];
    for (const offer of [...this.offers.values()].reverse()) {
      if (out.length >= max) break;
      out.push(create(FileSeedersSchema, { file: offer.info, seederNodeIds: [...offer.seeders] }));
    }
    return out;
  }

  private addSeeder(info: FileInfo, seeder: string): void {
    let offer = this.offers.get(info.fileId);
    if (!offer) {
      offer = { info, seeders: new Set() };
      this.offers.set(info.fileId, offer);
    }
    offer.seeders.add(seeder);
  }

  private removeSeeder(fileId: string, seeder: string): void {
    const offer = this.offers.get(fileId);
    if (!offer) return;
    offer.seeders.delete(seeder);
    if (offer.seeders.size === 0) this.offers.delete(fileId);
  }
}
