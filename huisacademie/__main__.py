from huisacademie.cli import main

main()
