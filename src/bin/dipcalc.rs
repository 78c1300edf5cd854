fn main() {
    println!("dipcalc {}", dipcalc::VERSION);
}
