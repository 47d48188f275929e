/*
 * MinQing Map: the dispatch board (pages/dispatch.py). A row's dispatch button is disabled
 * as soon as it is pressed, so a double click sends one request; the server refuses a
 * second one anyway (the row's version is then stale: nothing changes).
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
    minqingDispatch: {
        pressed: function (nClicks) { return Boolean(nClicks); },
    },
});
