import type { DefaultOffer } from '../storage/defaults-seeder';
import { StateHolder } from './state-holder';

export interface DefaultOffersState {
  /** Newer bundled defaults for scripts the user edited; each is offered once, on the start that found it. */
  offers: readonly DefaultOffer[];
  problem: string | null;
}

/** The "compare and update" offers of newer bundled defaults: take one, or keep the user's script. */
export class DefaultOffers extends StateHolder<DefaultOffersState> {
  constructor(
    offers: readonly DefaultOffer[],
    private readonly adoptOffer: (offer: DefaultOffer) => Promise<void>,
  ) {
    super({ offers, problem: null });
  }

  /** Replaces the user's script with the offered version. */
  async adopt(scriptId: string): Promise<void> {
    const offer = this.state.offers.find((candidate) => candidate.scriptId === scriptId);
    if (!offer) return;
    await this.attempt(`update “${offer.script.title}”`, async () => {
      await this.adoptOffer(offer);
      this.dismiss(scriptId);
    });
  }

  /** Keeps the user's script; the offer is not made again for this version. */
  dismiss(scriptId: string): void {
    this.set({ offers: this.state.offers.filter((offer) => offer.scriptId !== scriptId) });
  }
}
