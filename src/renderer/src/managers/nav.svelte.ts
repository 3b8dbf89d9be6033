/** The six places of the left rail; which one is showing. */
export const PLACES = ['library', 'augment', 'train', 'runs', 'map', 'settings'] as const;
export type Place = (typeof PLACES)[number];

class NavManager {
  place = $state<Place>('library');

  go(place: Place): void {
    this.place = place;
  }
}

export const nav = new NavManager();
