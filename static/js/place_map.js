// The opportunity page's small map of the place. Progressive enhancement:
// without Leaflet (or its tiles) the address and the link to a map site stay
// on the page. The popup is built as text: the partner's name is typed by
// partner staff and must never be read as HTML.
window.addEventListener("load", function () {
  var el = document.getElementById("place-map");
  if (!el || !window.L) return;
  var lat = parseFloat(el.dataset.lat), lon = parseFloat(el.dataset.lon);
  var fallback = el.innerHTML;
  try {
    el.innerHTML = "";
    var map = L.map(el, { scrollWheelZoom: false }).setView([lat, lon], 15);
    L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
      maxZoom: 19, attribution: "&copy; OpenStreetMap contributors"
    }).addTo(map);
    var label = document.createElement("strong");
    label.textContent = el.dataset.label;
    L.marker([lat, lon], { title: el.dataset.label }).addTo(map).bindPopup(label);
  } catch (e) { el.innerHTML = fallback; }
});
