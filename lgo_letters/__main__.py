from lgo_letters.cli import main

main()
