/** Which view the window shows; views switch by setting `nav.view`. */
export const nav = $state({ view: 'home' });

/** Shows the view with `id`. */
export const go = (id: string): void => {
  nav.view = id;
};
