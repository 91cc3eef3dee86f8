pub fn run_file(_d:&serde_json::Value)->Result<(usize,Vec<String>),String>{Err(String::new())}
