const answer = 42;
function hello(name) {
  return `Hello, ${name}`;
}
